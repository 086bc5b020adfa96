/** The commands each contender runs for the same job, at the same concurrency. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_BUCKETS } from "@orcid-sync/test-bed";

/** A download job: these buckets into an empty folder. */
export interface DownloadJob {
  readonly endpoint: string;
  readonly summaries: boolean;
  readonly activities: boolean;
  readonly concurrency: number;
  /** The folder to download into (the mirror root). */
  readonly dir: string;
  /** A folder for the contenders' own configuration files. */
  readonly scratch: string;
  readonly repo: string;
}

export interface Contender {
  readonly name: string;
  /** The bash script for a job. */
  script(job: DownloadJob): string;
  /** The environment beyond the run's. */
  env(job: DownloadJob): NodeJS.ProcessEnv;
  version(): string;
}

const BUCKETS = (job: DownloadJob) => [
  ...(job.summaries ? [DEFAULT_BUCKETS.summaries] : []),
  ...(job.activities ? ["a", "b", "c"].map((part) => `${DEFAULT_BUCKETS.activitiesBase}-${part}`) : []),
];

const bin = (job: DownloadJob, tool: string) => join(job.repo, "node_modules", ".bin", tool);

export const ORCID_PIPE: Contender = {
  name: "orcid-sync (list|fetch|place)",
  script: (job) => {
    const what = [job.summaries ? "-s" : "", job.activities ? "-a" : ""].join(" ");
    const mirror = join(job.dir, "ORCID_public_data_files");
    return `"${bin(job, "orcid-list")}" --all ${what} -j ${job.concurrency} --log-level warn | "${bin(job, "orcid-fetch")}" -j ${job.concurrency} --log-level warn | "${bin(job, "orcid-place")}" "${mirror}" --log-level warn >/dev/null`;
  },
  // The job's endpoint (a latency proxy, another server), not the one the bench's environment names.
  env: (job) => ({ AWS_ENDPOINT_URL: job.endpoint }),
  version: () => "orcid-sync 0.1.0",
};

export const ORCID_INTO: Contender = {
  name: "orcid-sync (list|fetch --into)",
  script: (job) => {
    const what = [job.summaries ? "-s" : "", job.activities ? "-a" : ""].join(" ");
    const mirror = join(job.dir, "ORCID_public_data_files");
    return `"${bin(job, "orcid-list")}" --all ${what} -j ${job.concurrency} --log-level warn | "${bin(job, "orcid-fetch")}" -j ${job.concurrency} --into "${mirror}" --log-level warn >/dev/null`;
  },
  env: (job) => ({ AWS_ENDPOINT_URL: job.endpoint }),
  version: () => "orcid-sync 0.1.0",
};

export const ORCID_SCRIPT: Contender = {
  name: "orcid-sync download.sh",
  script: (job) =>
    `cd "${job.dir}" && "${join(job.repo, "scripts", "download.sh")}" ${job.summaries ? "-s" : ""} ${job.activities ? "-a" : ""} -max ${job.concurrency} -l WARN`,
  env: (job) => ({ AWS_ENDPOINT_URL: job.endpoint }),
  version: () => "orcid-sync 0.1.0",
};

export function awsCli(version: string): Contender {
  return {
    name: "aws s3 sync",
    script: (job) =>
      BUCKETS(job)
        .map(
          (bucket) =>
            `/usr/bin/aws s3 sync s3://${bucket} "${join(job.dir, bucket)}" --endpoint-url ${job.endpoint} --no-progress --only-show-errors`,
        )
        .join(" && "),
    env: (job) => {
      const config = join(job.scratch, `aws-${job.concurrency}.config`);
      writeFileSync(
        config,
        `[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = ${job.concurrency}\n  addressing_style = path\n`,
      );
      return { AWS_CONFIG_FILE: config };
    },
    version: () => version,
  };
}

export function rclone(version: string): Contender {
  return {
    name: "rclone copy --fast-list",
    script: (job) =>
      BUCKETS(job)
        .map(
          (bucket) =>
            `rclone copy --fast-list --transfers ${job.concurrency} --checkers ${job.concurrency} ":s3,provider=Other,endpoint='${job.endpoint}',access_key_id=S3RVER,secret_access_key=S3RVER,force_path_style=true:${bucket}" "${join(job.dir, bucket)}"`,
        )
        .join(" && "),
    // rclone 1.60 fails with LoadCustomCABundleError when AWS_CA_BUNDLE is set.
    env: () => ({ AWS_CA_BUNDLE: undefined, RCLONE_CONFIG: "/dev/null" }),
    version: () => version,
  };
}
