export { SetupInstructions } from './SetupInstructions';
export { setupYaml } from './setupYaml';
