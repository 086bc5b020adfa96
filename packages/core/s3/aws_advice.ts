/**
 * What to do when S3 cannot be reached or refuses the setup, told the way aws-cli tells it: the
 * SDK's bare messages ("Could not load credentials from any providers") leave a newcomer stuck.
 */

/**
 * The message for a credential chain that found nothing: where ORCID's keys come from, and the
 * three ways on (keys or a profile, anonymous requests, the demo).
 *
 * @example
 * ```ts
 * noCredentialsMessage("Could not load credentials from any providers");
 * ```
 */
export function noCredentialsMessage(detail: string): string {
  return (
    `No AWS credentials found (${detail}). ORCID gives the keys to its S3 buckets to its member ` +
    "organisations: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME (a profile " +
    "in ~/.aws/credentials, or set AWS_PROFILE); for a public bucket, pass --no-sign-request; to try " +
    "the tools without any, run 'npm run demo'"
  );
}

/** S3 codes that mean the request was signed for, or sent to, the wrong region. */
const REGION_CODES: ReadonlySet<string> = new Set([
  "AuthorizationHeaderMalformed",
  "PermanentRedirect",
  "IllegalLocationConstraintException",
]);

/**
 * The advice for an S3 error that names the wrong region, or undefined for any other error. The
 * region is taken from what S3 says: the `x-amz-bucket-region` header, or `<Region>` in the body.
 *
 * @example
 * ```ts
 * regionAdvice("AuthorizationHeaderMalformed", "<Error><Region>eu-west-1</Region></Error>", {});
 * // "the bucket is in region 'eu-west-1': pass --region eu-west-1 (or set AWS_REGION)"
 * ```
 */
export function regionAdvice(
  code: string,
  body: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  if (!REGION_CODES.has(code)) return undefined;
  const header = headers["x-amz-bucket-region"];
  const named = (Array.isArray(header) ? header[0] : header) ?? /<Region>([A-Za-z0-9-]+)<\/Region>/.exec(body)?.[1];
  if (named && /^[a-z0-9-]+$/.test(named))
    return `the bucket is in region '${named}': pass --region ${named} (or set AWS_REGION)`;
  return "the bucket is in another region, or the endpoint is not the bucket's: check --region (AWS_REGION) and --endpoint-url (AWS_ENDPOINT_URL)";
}

/**
 * The advice for a server that could not be reached at all.
 *
 * @example
 * ```ts
 * unreachableAdvice("http://127.0.0.1:4568", true);
 * ```
 */
export function unreachableAdvice(origin: string, endpointGiven: boolean): string {
  return endpointGiven
    ? `check --endpoint-url (or AWS_ENDPOINT_URL, now ${origin}) and that the server there is running`
    : "check the network, a proxy (HTTPS_PROXY, NO_PROXY), AWS_CA_BUNDLE, and --region";
}
