/**
 * @module
 * The orcid-pack library. Write object records (or a mirror folder) into .tar.gz archives in the layout of ORCID's public data file.
 */
export {};
