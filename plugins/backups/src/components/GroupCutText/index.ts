export { GroupCutText } from './GroupCutText';
