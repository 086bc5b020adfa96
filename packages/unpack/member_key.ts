/**
 * From an archive member's name to the object it holds. ORCID's yearly files name members
 * `ORCID_2025_10_summaries/097/<iD>.xml` and `ORCID_2025_10_activities_7/…/<iD>_works_1.xml`,
 * orcid-pack `summaries/…` and `activities/…`: whatever the leading folders, the last two (a
 * summary) or four (an activity) components must be a key that core's `parseKey` accepts.
 */
import { InvalidKeyError, type ObjectRef, parseKey } from "@orcid-sync/core";
import { activitiesBucket, type BucketLayout } from "@orcid-sync/core";

/**
 * The bucket, key, iD and kind of a member, the bucket chosen by the key as orcid-list chooses it.
 * Throws an {@linkcode InvalidKeyError} for a name that is not an ORCID key under plain folders:
 * absolute, with `..`, `.` or empty components, a backslash or NUL, a bad iD, an unknown type.
 *
 * @example
 * ```ts
 * memberRef("ORCID_2025_10_summaries/097/0000-0002-1825-0097.xml", DEFAULT_LAYOUT);
 * // { bucket: "v3.0-summaries", key: "097/0000-0002-1825-0097.xml", orcid: "0000-0002-1825-0097", kind: "summary" }
 * ```
 */
export function memberRef(name: string, layout: BucketLayout): ObjectRef {
  if (/[\0\\]/.test(name))
    throw new InvalidKeyError(`Invalid member name: contains a NUL or a backslash: ${JSON.stringify(name)}`);
  // GNU tar writes `./` before the names of `tar czf x.tgz .`.
  const relative = name.replace(/^(\.\/)+/, "");
  if (relative.startsWith("/")) throw new InvalidKeyError(`Invalid member name: absolute path: '${name}'`);
  const parts = relative.split("/");
  if (parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new InvalidKeyError(`Invalid member name: empty, '.' or '..' component: '${name}'`);
  }
  const file = parts.at(-1)!;
  if (!file.endsWith(".xml")) throw new InvalidKeyError(`Invalid member name: not an .xml file: '${name}'`);
  // An activity's file name has `_<type>_`; a summary's is `<iD>.xml`: the two shapes never overlap.
  const activity = file.includes("_");
  const length = activity ? 4 : 2;
  if (parts.length < length) {
    throw new InvalidKeyError(
      `Invalid member name: not '…/<last3>/<iD>.xml' nor '…/<last3>/<iD>/<type>/<file>.xml': '${name}'`,
    );
  }
  const key = parts.slice(-length).join("/");
  let parsed: ReturnType<typeof parseKey>;
  try {
    parsed = parseKey(key);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidKeyError(`${error.message} (member '${name}')`);
    throw error;
  }
  const bucket = parsed.kind === "summary" ? layout.summaries : activitiesBucket(layout, parsed.orcid);
  return { bucket, key, orcid: parsed.orcid, kind: parsed.kind };
}
