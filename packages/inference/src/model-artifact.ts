/**
 * How a model dir travels through the artifact store: a directory artifact (@ferret/bus putDirectory)
 * whose bundle says it holds a model dir. The trainer publishes one; the encoder fetches it by the
 * ArtifactRef of a `model.published` event. Kept here, with the model dir format, so both agree.
 */
/** ArtifactRef.mediaType of a model dir's bundle. */
export const MODEL_DIR_MEDIA_TYPE = "application/vnd.ferret.model-dir+json";
/** The bundle's `contents`. */
export const MODEL_DIR_CONTENTS = "ferret.model-dir";
