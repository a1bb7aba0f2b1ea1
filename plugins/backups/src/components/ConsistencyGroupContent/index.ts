export {
  ConsistencyGroupContent,
  isConsistencyGroupSystem,
} from './ConsistencyGroupContent';
