/** XML shaped like ORCID message schema 3.0: record summaries, activities and error documents. */
import { type ActivityType, isoDate, type SyntheticActivity, type SyntheticRecord } from "./model.ts";

const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = "http://www.orcid.org/ns";
const NAMESPACES = [
  "internal",
  "education",
  "distinction",
  "deprecated",
  "other-name",
  "membership",
  "error",
  "common",
  "person",
  "activities",
  "record",
  "service",
  "funding",
  "invited-position",
  "keyword",
  "email",
  "person-external-identifier",
  "history",
  "preferences",
  "peer-review",
  "qualification",
  "personal-details",
  "address",
  "bulk",
  "researcher-url",
  "work",
  "research-resource",
  "employment",
]
  .map((ns) => `xmlns:${ns}="${NS}/${ns}"`)
  .join(" ");

/** The root element of each activity type. */
const ELEMENT: Record<ActivityType, string> = {
  distinctions: "distinction:distinction",
  educations: "education:education",
  employments: "employment:employment",
  fundings: "funding:funding",
  "invited-positions": "invited-position:invited-position",
  membership: "membership:membership",
  "peer-reviews": "peer-review:peer-review",
  qualifications: "qualification:qualification",
  "research-resources": "research-resource:research-resource",
  services: "service:service",
  works: "work:work",
};

/** The path segment of an activity's API path (`/0000-…/work/123`). */
const PATH_SEGMENT: Record<ActivityType, string> = {
  distinctions: "distinction",
  educations: "education",
  employments: "employment",
  fundings: "funding",
  "invited-positions": "invited-position",
  membership: "membership",
  "peer-reviews": "peer-review",
  qualifications: "qualification",
  "research-resources": "research-resource",
  services: "service",
  works: "work",
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function source(activity: SyntheticActivity, indent: string): string {
  const s = activity.source;
  const inner =
    s.kind === "orcid"
      ? `${indent}    <common:source-orcid>\n${indent}        <common:uri>https://orcid.org/${s.id}</common:uri>\n${indent}        <common:path>${s.id}</common:path>\n${indent}        <common:host>orcid.org</common:host>\n${indent}    </common:source-orcid>\n`
      : `${indent}    <common:source-client-id>\n${indent}        <common:uri>https://orcid.org/client/${s.id}</common:uri>\n${indent}        <common:path>${s.id}</common:path>\n${indent}        <common:host>orcid.org</common:host>\n${indent}    </common:source-client-id>\n${indent}    <common:source-name>${escapeXml(s.name)}</common:source-name>\n`;
  const origin = s.origin
    ? `${indent}    <common:assertion-origin-orcid>\n${indent}        <common:uri>https://orcid.org/${s.origin.id}</common:uri>\n${indent}        <common:path>${s.origin.id}</common:path>\n${indent}        <common:host>orcid.org</common:host>\n${indent}    </common:assertion-origin-orcid>\n${indent}    <common:assertion-origin-name>${escapeXml(s.origin.name)}</common:assertion-origin-name>\n`
    : "";
  return `${indent}<common:source>\n${inner}${origin}${indent}</common:source>\n`;
}

function externalIds(activity: SyntheticActivity, indent: string): string {
  if (activity.externalIds) {
    if (activity.externalIds.length === 0) return `${indent}<common:external-ids/>\n`;
    const ids = activity.externalIds.map(
      (id) =>
        `${indent}    <common:external-id>\n` +
        `${indent}        <common:external-id-type>${escapeXml(id.type)}</common:external-id-type>\n` +
        `${indent}        <common:external-id-value>${escapeXml(id.value)}</common:external-id-value>\n` +
        (id.normalized === undefined
          ? ""
          : `${indent}        <common:external-id-normalized transient="true">${escapeXml(id.normalized)}</common:external-id-normalized>\n`) +
        (id.relationship === undefined
          ? ""
          : `${indent}        <common:external-id-relationship>${escapeXml(id.relationship)}</common:external-id-relationship>\n`) +
        `${indent}    </common:external-id>\n`,
    );
    return `${indent}<common:external-ids>\n${ids.join("")}${indent}</common:external-ids>\n`;
  }
  if (!activity.doi) return `${indent}<common:external-ids/>\n`;
  return (
    `${indent}<common:external-ids>\n${indent}    <common:external-id>\n` +
    `${indent}        <common:external-id-type>doi</common:external-id-type>\n` +
    `${indent}        <common:external-id-value>${activity.doi}</common:external-id-value>\n` +
    `${indent}        <common:external-id-normalized transient="true">${activity.doi.toLowerCase()}</common:external-id-normalized>\n` +
    `${indent}        <common:external-id-url>https://doi.org/${activity.doi}</common:external-id-url>\n` +
    `${indent}        <common:external-id-relationship>self</common:external-id-relationship>\n` +
    `${indent}    </common:external-id>\n${indent}</common:external-ids>\n`
  );
}

/** An activity's organization; with variety, disambiguated. */
function organization(activity: SyntheticActivity, indent: string): string {
  return (
    `${indent}<common:organization>\n${indent}    <common:name>${escapeXml(activity.organization)}</common:name>\n` +
    `${indent}    <common:address><common:city>City</common:city><common:country>GB</common:country></common:address>\n` +
    (activity.org
      ? `${indent}    <common:disambiguated-organization>\n${indent}        <common:disambiguated-organization-identifier>${escapeXml(activity.org.id)}</common:disambiguated-organization-identifier>\n` +
        `${indent}        <common:disambiguation-source>${activity.org.source}</common:disambiguation-source>\n${indent}    </common:disambiguated-organization>\n`
      : "") +
    `${indent}</common:organization>\n`
  );
}

function body(activity: SyntheticActivity, indent: string): string {
  const org = organization(activity, indent);
  const year = `<common:year>${activity.year}</common:year>`;
  switch (activity.type) {
    case "works":
      return (
        `${indent}<work:title>\n${indent}    <common:title>${escapeXml(activity.title)}</common:title>\n${indent}</work:title>\n` +
        `${indent}<work:type>journal-article</work:type>\n${indent}<common:publication-date>${year}</common:publication-date>\n` +
        externalIds(activity, indent)
      );
    case "fundings":
      return (
        `${indent}<funding:type>grant</funding:type>\n${indent}<funding:title>\n${indent}    <common:title>${escapeXml(activity.title)}</common:title>\n${indent}</funding:title>\n` +
        `${indent}<common:start-date>${year}</common:start-date>\n${org}`
      );
    case "peer-reviews":
      return (
        `${indent}<peer-review:reviewer-role>reviewer</peer-review:reviewer-role>\n` +
        `${indent}<peer-review:review-type>review</peer-review:review-type>\n` +
        `${indent}<peer-review:review-completion-date>${year}</peer-review:review-completion-date>\n` +
        `${indent}<peer-review:review-group-id>issn:${activity.putCode % 10000}-0000</peer-review:review-group-id>\n` +
        org.replaceAll("common:organization", "peer-review:convening-organization")
      );
    case "research-resources":
      return (
        `${indent}<research-resource:proposal>\n${indent}    <research-resource:title>\n${indent}        <common:title>${escapeXml(activity.title)}</common:title>\n` +
        `${indent}    </research-resource:title>\n${indent}</research-resource:proposal>\n`
      );
    default:
      return (
        `${indent}<common:department-name>${escapeXml(activity.title.split(" ").slice(0, 2).join(" "))}</common:department-name>\n` +
        `${indent}<common:role-title>${escapeXml(activity.title)}</common:role-title>\n` +
        `${indent}<common:start-date>${year}</common:start-date>\n${org}`
      );
  }
}

/** One activity file. */
export function activityXml(record: SyntheticRecord, activity: SyntheticActivity): string {
  const element = ELEMENT[activity.type];
  const path = `/${record.orcid}/${PATH_SEGMENT[activity.type]}/${activity.putCode}`;
  const prefix = element.split(":")[0];
  return (
    DECLARATION +
    `<${element} put-code="${activity.putCode}" path="${path}" visibility="public" display-index="0" xmlns:common="${NS}/common" xmlns:${prefix}="${NS}/${prefix}">\n` +
    `    <common:created-date>${isoDate(activity.created)}</common:created-date>\n` +
    `    <common:last-modified-date>${isoDate(activity.lastModified)}</common:last-modified-date>\n` +
    source(activity, "    ") +
    body(activity, "    ") +
    `</${element}>\n`
  );
}

function activitySummaries(record: SyntheticRecord): string {
  const lines: string[] = [];
  const byType = new Map<ActivityType, SyntheticActivity[]>();
  for (const activity of record.activities) byType.set(activity.type, [...(byType.get(activity.type) ?? []), activity]);
  for (const [type, activities] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const section = `activities:${type === "membership" ? "memberships" : type}`;
    lines.push(`        <${section} path="/${record.orcid}/${type}">`);
    for (const activity of activities) {
      const summary = `${ELEMENT[type]}-summary`;
      lines.push(
        `            <activities:group>`,
        `                <common:last-modified-date>${isoDate(activity.lastModified)}</common:last-modified-date>`,
        externalIds(activity, "                ").trimEnd(),
        `                <${summary} put-code="${activity.putCode}" path="/${record.orcid}/${PATH_SEGMENT[type]}/${activity.putCode}" visibility="public" display-index="0">`,
        `                    <common:created-date>${isoDate(activity.created)}</common:created-date>`,
        `                    <common:last-modified-date>${isoDate(activity.lastModified)}</common:last-modified-date>`,
        source(activity, "                    ").trimEnd(),
        ...varietySummaryBody(activity),
        `                </${summary}>`,
        `            </activities:group>`,
      );
    }
    lines.push(`        </${section}>`);
  }
  return lines.join("\n");
}

/**
 * What a summary holds of an activity: its title; with variety, what ORCID's summaries hold — a
 * work's title, external ids, type and date; an affiliation's or funding's dates and organization.
 */
function varietySummaryBody(activity: SyntheticActivity): string[] {
  const indent = "                    ";
  if (activity.type === "works" && activity.externalIds) {
    return [
      `${indent}<work:title>\n${indent}    <common:title>${escapeXml(activity.title)}</common:title>\n${indent}</work:title>`,
      externalIds(activity, indent).trimEnd(),
      `${indent}<work:type>journal-article</work:type>`,
      `${indent}<common:publication-date><common:year>${activity.year}</common:year></common:publication-date>`,
    ];
  }
  if (activity.org && activity.type !== "peer-reviews" && activity.type !== "research-resources") {
    const fundings = activity.type === "fundings";
    return [
      fundings
        ? `${indent}<funding:title><common:title>${escapeXml(activity.title)}</common:title></funding:title>`
        : `${indent}<common:role-title>${escapeXml(activity.title)}</common:role-title>`,
      `${indent}<common:start-date><common:year>${activity.year}</common:year></common:start-date>`,
      organization(activity, indent).trimEnd(),
    ];
  }
  return [`${indent}<common:title>${escapeXml(activity.title)}</common:title>`];
}

/** The record summary of an active record. */
export function summaryXml(record: SyntheticRecord): string {
  const id = record.orcid;
  const modified = isoDate(record.lastModified);
  const keywords = record.keywords
    .map(
      (k, i) =>
        `            <keyword:keyword put-code="${i + 1}" visibility="public"><keyword:content>${k}</keyword:content></keyword:keyword>`,
    )
    .join("\n");
  return (
    DECLARATION +
    `<record:record path="/${id}" ${NAMESPACES}>\n` +
    `    <common:orcid-identifier>\n        <common:uri>https://orcid.org/${id}</common:uri>\n        <common:path>${id}</common:path>\n        <common:host>orcid.org</common:host>\n    </common:orcid-identifier>\n` +
    `    <preferences:preferences>\n        <preferences:locale>en</preferences:locale>\n    </preferences:preferences>\n` +
    `    <history:history>\n        <history:creation-method>Member-referred</history:creation-method>\n` +
    `        <history:submission-date>${isoDate(record.created)}</history:submission-date>\n` +
    `        <common:last-modified-date>${modified}</common:last-modified-date>\n        <history:claimed>true</history:claimed>\n` +
    `        <history:verified-email>true</history:verified-email>\n        <history:verified-primary-email>true</history:verified-primary-email>\n    </history:history>\n` +
    `    <person:person path="/${id}/person">\n        <common:last-modified-date>${modified}</common:last-modified-date>\n` +
    `        <person:name visibility="public" path="${id}">\n` +
    `            <personal-details:given-names>${escapeXml(record.givenNames)}</personal-details:given-names>\n` +
    `            <personal-details:family-name>${escapeXml(record.familyName)}</personal-details:family-name>\n        </person:name>\n` +
    `        <person:biography visibility="public" path="/${id}/biography">\n            <personal-details:content>${escapeXml(record.biography)}</personal-details:content>\n        </person:biography>\n` +
    `        <keyword:keywords path="/${id}/keywords">\n${keywords}\n        </keyword:keywords>\n    </person:person>\n` +
    `    <activities:activities-summary path="/${id}/activities">\n        <common:last-modified-date>${modified}</common:last-modified-date>\n` +
    `${activitySummaries(record)}\n    </activities:activities-summary>\n` +
    `</record:record>\n`
  );
}

/** The summary object of a deprecated (301, 9007) or locked (409, 9018) record. */
export function errorXml(record: SyntheticRecord): string {
  const deprecated = record.state === "deprecated";
  const code = deprecated ? 301 : 409;
  const message = deprecated
    ? `301 Moved Permanently: The ORCID record is deprecated and has been merged into another record. ORCID https://orcid.org/${record.orcid}`
    : `409 Conflict: The ORCID record is locked and cannot be edited. ORCID https://orcid.org/${record.orcid}`;
  return (
    DECLARATION +
    `<error:error xmlns:error="${NS}/error">\n` +
    `    <error:response-code>${code}</error:response-code>\n` +
    `    <error:developer-message>${message}</error:developer-message>\n` +
    `    <error:user-message>${deprecated ? "This record has been deprecated." : "The ORCID record is locked."}</error:user-message>\n` +
    `    <error:error-code>${deprecated ? 9007 : 9018}</error:error-code>\n` +
    `    <error:more-info>https://members.orcid.org/api/resources/troubleshooting</error:more-info>\n` +
    `</error:error>\n`
  );
}
