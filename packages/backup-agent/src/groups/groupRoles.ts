import type { DockerRuntime } from '../docker/DockerRuntime';
import type { GroupConfig } from './groupSettings';

/** The label that marks a container's role in its group: `writer` (the application) or `store`. */
export const ROLE_LABEL = 'safekeep.io/role';

interface Candidate {
  name: string;
  labels: Record<string, string>;
}

/**
 * Which of a group's containers are writers (the applications a cut stops), and why. Listed
 * writers win (each must exist and must not be a store's own container); else the containers
 * labelled `safekeep.io/role=writer`; else every container of the group but the stores' own
 * (a target's `container`) and those labelled `safekeep.io/role=store`.
 */
export async function chooseWriters(
  runtime: DockerRuntime,
  input: {
    group: GroupConfig;
    containers: Candidate[];
    storeContainers: ReadonlySet<string>;
  },
): Promise<{ names: string[]; from: string }> {
  const { group, containers, storeContainers } = input;
  if (group.writers) {
    const names: string[] = [];
    for (const listed of group.writers) {
      const info = await runtime.inspectContainer(
        listed,
        `group "${group.name}": writer`,
      );
      const name = info.Name.replace(/^\//, '');
      if (storeContainers.has(listed) || storeContainers.has(name))
        throw new Error(
          `group "${group.name}": ${listed} is listed as a writer but it is a target's own container (a store); remove it from groups.${group.name}.writers`,
        );
      if (!names.includes(name)) names.push(name);
    }
    return { names: names.sort(), from: 'listed in writers' };
  }
  const labelled = containers.filter(c => c.labels[ROLE_LABEL] === 'writer');
  if (labelled.length > 0)
    return {
      names: labelled.map(c => c.name).sort(),
      from: `labelled ${ROLE_LABEL}=writer`,
    };
  return {
    names: containers
      .filter(
        c => !storeContainers.has(c.name) && c.labels[ROLE_LABEL] !== 'store',
      )
      .map(c => c.name)
      .sort(),
    from: "the group's containers but the stores' own",
  };
}
