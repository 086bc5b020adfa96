/** Word lists for names and text; plain ASCII plus a few accented names, as real records have. */
export const GIVEN_NAMES = [
  "Ada", "Alan", "Amara", "Björn", "Chen", "Daniela", "Émile", "Fatima", "Grace", "Hiroshi", "Ingrid",
  "José", "Kwame", "Leila", "Marie", "Nikolai", "Olusegun", "Priya", "Quentin", "Rosalind", "Søren",
  "Tomás", "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zoë",
];

export const FAMILY_NAMES = [
  "Lovelace", "Turing", "Okafor", "Lindqvist", "Wang", "García", "Durand", "Haddad", "Hopper", "Tanaka",
  "Berg", "Martínez", "Mensah", "Farahani", "Curie", "Petrov", "Adeyemi", "Sharma", "Dubois", "Franklin",
  "Kierkegaard", "Ortega", "Khan", "Rossi", "Zhang", "Lopez", "Demir", "Müller",
];

export const WORDS = [
  "adaptive", "analysis", "bayesian", "biology", "catalysis", "cell", "climate", "cohort", "data",
  "deep", "dynamics", "ecology", "efficient", "electron", "evidence", "field", "genome", "graph",
  "health", "imaging", "inference", "learning", "marine", "model", "network", "neural", "ocean",
  "open", "optical", "policy", "protein", "quantum", "random", "regional", "robust", "sampling",
  "signal", "soil", "spatial", "structure", "study", "survey", "systems", "theory", "transport",
  "urban", "variation", "water",
];

export const ORGANIZATIONS = [
  "University of Oxford", "Universidad de Buenos Aires", "Kyoto University", "University of Lagos",
  "ETH Zürich", "Universidade de São Paulo", "Max Planck Society", "CNRS", "Indian Institute of Science",
  "University of Cape Town", "Karolinska Institutet", "National Science Foundation", "Wellcome Trust",
];

/** Member integrations that write activities, with their client iDs. */
export const CLIENTS = [
  { id: "0000-0002-3054-1567", name: "Crossref" },
  { id: "0000-0001-9884-1913", name: "DataCite" },
  { id: "0000-0003-0902-4386", name: "Scopus - Elsevier" },
  { id: "0000-0002-5982-8983", name: "Europe PubMed Central" },
];
