// How the relayer, watchtower and devnet commands choose their store: --database-url, else DATABASE_URL,
// else SQLite (undefined); anything but a postgres URL is a usage error naming where it came from.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { databaseUrlOf, UsageError } from "../../src/cli/options.js";

const URL_A = "postgres://junction@127.0.0.1:5432/a";
const URL_B = "postgresql://junction@db.internal/b";

describe("databaseUrlOf", () => {
  it("prefers the flag, then DATABASE_URL, else SQLite", () => {
    assert.equal(databaseUrlOf(URL_A, { DATABASE_URL: URL_B }), URL_A);
    assert.equal(databaseUrlOf(undefined, { DATABASE_URL: URL_B }), URL_B);
    assert.equal(databaseUrlOf(undefined, {}), undefined);
    assert.equal(databaseUrlOf(undefined, { DATABASE_URL: "" }), undefined, "an empty variable is unset");
  });

  it("refuses what is not a postgres URL, naming its source", () => {
    assert.throws(
      () => databaseUrlOf("relayer.sqlite", {}),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.shortMessage, /^--database-url must be/);
        return true;
      },
    );
    assert.throws(() => databaseUrlOf(undefined, { DATABASE_URL: "mysql://x" }), /^UsageError: DATABASE_URL/);
  });
});
