export { VerifyFailures } from './VerifyFailures';
