/** FAULTS_LONG=1 runs the long variants (more faults, more traffic); CI runs the short ones. */
export const FAULTS_LONG = process.env.FAULTS_LONG === '1';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Faults make every component warn; the suites keep errors only (TEST_LOG_LEVEL=warn shows the rest). */
export const FAULT_ENV = { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error' };
