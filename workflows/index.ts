// Entry point of the workflow bundle: every workflow type the worker runs is exported here.
export { smokeCheck } from './smoke/smoke-check.workflow';
