export { BackUpNowButton } from './BackUpNowButton';
