// Which consumer groups the exporter watches: the mesh's apps' groups (mesh.<app>), not the
// per-instance control groups (mesh.<app>.control.<instance>), nor the replay-coordinator's
// per-run groups (a replay reads the past on purpose: its lag is its progress, not an incident),
// nor anything else on the cluster.

export interface GroupFilter {
  include: RegExp;
  exclude: RegExp;
}

export const DEFAULT_GROUP_FILTER: GroupFilter = { include: /^mesh\./, exclude: /\.control\.|^mesh\.replay-coordinator\.run/ };

export function watchedGroups(groups: readonly string[], filter: GroupFilter): string[] {
  return groups.filter((g) => filter.include.test(g) && !filter.exclude.test(g)).sort();
}
