export { RestoresCard } from './RestoresCard';
