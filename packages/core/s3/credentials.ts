/** The AWS credential chain, loaded only when a request needs signing. */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { noCredentialsMessage } from "./aws_advice.ts";
import { registerSecret } from "../pipe/mod.ts";

/** No credentials anywhere in the chain; the message says what to do. Fatal (`classifyError`). */
export class NoCredentialsError extends Error {
  // The SDK's name for the condition, which classifyError already treats as fatal.
  override name = "CredentialsProviderError";
}

const fixedIdentities = new WeakMap<AwsCredentialIdentityProvider, AwsCredentialIdentity>();

/**
 * The identity a provider always returns (keys from the environment), for a caller that signs
 * without waiting on a promise per request; undefined for a chain that may refresh.
 */
export function fixedIdentity(provider: AwsCredentialIdentityProvider): AwsCredentialIdentity | undefined {
  return fixedIdentities.get(provider);
}

/**
 * The AWS CLI's order: an explicit `--profile` first, then the environment's keys, then the SDK's
 * chain (AWS_PROFILE, SSO, web identity, container and instance roles). The chain is imported on
 * first use (the SDK costs time and memory at start-up) and refreshes credentials before they
 * expire; every call returns the current ones. Secrets are registered for redaction.
 */
export function credentialChain(
  explicitProfile: string | undefined,
  env: NodeJS.ProcessEnv,
): AwsCredentialIdentityProvider {
  if (!explicitProfile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const identity: AwsCredentialIdentity = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    registerSecret(identity.secretAccessKey);
    registerSecret(identity.sessionToken);
    const provider = async () => identity;
    fixedIdentities.set(provider, identity);
    return provider;
  }
  const profile = explicitProfile ?? env.AWS_PROFILE;
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    chain ??= import("@aws-sdk/credential-providers").then(({ fromNodeProviderChain }) =>
      fromNodeProviderChain(profile ? { profile } : {}),
    );
    let identity: AwsCredentialIdentity;
    try {
      identity = await (await chain)();
    } catch (error) {
      if ((error as Error)?.name !== "CredentialsProviderError") throw error;
      throw new NoCredentialsError(noCredentialsMessage((error as Error).message), { cause: error });
    }
    registerSecret(identity.secretAccessKey);
    registerSecret(identity.sessionToken);
    return identity;
  };
}
