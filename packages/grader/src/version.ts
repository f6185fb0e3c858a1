/** The grader's version, recorded with every run so a result can be traced to the code that made it. */
export const GRADER_VERSION = '0.1.0';
