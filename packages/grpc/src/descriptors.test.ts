import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { EvaluatorService, readDescriptorSet } from "@ferret/proto";
import { describe, expect, it } from "vitest";
import { idempotentMethods, serviceNameOf, splitDescriptorSet } from "./descriptors.js";
import { EchoService, echoDescriptorSet } from "./test-support/echo-service.js";

describe("descriptors", () => {
  it("splits a descriptor set into the files a full decode finds, in order", () => {
    const set = readDescriptorSet();
    const split = splitDescriptorSet(set).map((file) => fromBinary(FileDescriptorProtoSchema, file).name);
    expect(split).toEqual(fromBinary(FileDescriptorSetSchema, set).file.map((file) => file.name));
    expect(split).toContain("ferret/v1/common.proto");
  });

  it("names a service from its method paths", () => {
    expect(serviceNameOf(EvaluatorService)).toBe("ferret.v1.Evaluator");
    expect(serviceNameOf(EchoService)).toBe("ferret.test.v1.Echo");
  });

  it("finds the methods echo.proto marks IDEMPOTENT or NO_SIDE_EFFECTS", () => {
    expect(idempotentMethods([echoDescriptorSet], "ferret.test.v1.Echo")).toEqual(new Set(["Say", "Count"]));
    expect(idempotentMethods([echoDescriptorSet], "ferret.test.v1.Other")).toEqual(new Set());
  });
});
