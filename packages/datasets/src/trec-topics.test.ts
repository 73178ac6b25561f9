import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "@ferret/errors";
import { readTrecTopics } from "./trec-topics.js";
import { tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

// Written for this test in the layout of the TREC ad hoc topic files (e.g. topics.301-350).
const TOPICS = `<top>

<num> Number: 301
<title> International Organized Crime

<desc> Description:
Identify organizations that participate in
international criminal activity.

<narr> Narrative:
A relevant document must identify the organization.

</top>

<top>
<num> Number: 051
<dom> Domain: International Economics
<title> Topic: Airbus Subsidies
<desc> Description:
Document will discuss government assistance to Airbus.
</top>

<top>
<num>302</num>
<title>Poliomyelitis and Post-Polio</title>
</top>
`;

describe("readTrecTopics", () => {
  it("reads titles as text and other fields into metadata", async () => {
    const path = await tmp.file("topics.txt", TOPICS.replace(/\n/g, "\r\n"));
    const { topics, stats } = await readTrecTopics(path);
    expect(stats.records).toBe(3);
    expect(topics).toEqual([
      {
        id: "301",
        text: "International Organized Crime",
        metadata: {
          description: "Identify organizations that participate in international criminal activity.",
          narrative: "A relevant document must identify the organization.",
        },
      },
      {
        id: "051",
        text: "Airbus Subsidies",
        metadata: {
          dom: "Domain: International Economics",
          description: "Document will discuss government assistance to Airbus.",
        },
      },
      { id: "302", text: "Poliomyelitis and Post-Polio" },
    ]);
  });

  it("rejects malformed topics with file, line and field", async () => {
    const cases: [string, number, string | undefined, RegExp][] = [
      ["<top>\n<title> no number\n</top>\n", 1, "num", /has no <num>/],
      ["<top>\n<num> Number: 1\n</top>\n", 1, "title", /topic 1 has no <title>/],
      [
        "<top>\n<num> 1\n<title> a\n</top>\n<top>\n<num> 1\n<title> b\n</top>\n",
        5,
        "num",
        /duplicate topic number "1"/,
      ],
      ["<top>\n<num> 1\n<title> a\n", 1, "top", /without a closing/],
      ["stray\n", 1, undefined, /outside <top>/],
      ["<top>\n<num> 1\n<num> 2\n</top>\n", 3, "num", /repeated <num>/],
    ];
    for (const [text, line, field, problem] of cases) {
      const path = await tmp.file(`bad-${line}-${String(field)}-${text.length}.txt`, text);
      const err = await readTrecTopics(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, text).toBeInstanceOf(InputError);
      expect([(err as InputError).line, (err as InputError).field], text).toEqual([line, field]);
      expect((err as InputError).message).toMatch(problem);
    }
  });

  it("lenient mode skips a bad topic once and keeps the rest", async () => {
    const text = "<top>\n<num> 1\n<num> 2\n<title> x\n</top>\n<top>\n<num> 3\n<title> ok\n</top>\n";
    const { topics, stats } = await readTrecTopics(await tmp.file("lenient.txt", text), { lenient: true });
    expect(topics).toEqual([{ id: "3", text: "ok" }]);
    expect(stats.skipped).toBe(1);
  });
});
