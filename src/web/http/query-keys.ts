/**
 * Query keys, made in one place per resource so that one key can never hold two shapes.
 *
 * Each resource declares its root once (`queryKeys('organisations')`), and each kind of
 * query of it once (`keys.kind('every')`); a second declaration of either throws when the
 * module loads. A key is `[root, kind, ...arguments]`, and each kind is declared next to
 * the one function that fetches it (see `queries/`), so a key always caches what that
 * function answers. `keys.all` is the prefix to invalidate everything of the resource.
 */
const roots = new Map<string, Set<string>>();

export interface ResourceKeys<R extends string> {
  readonly root: R;
  /** Every query of this resource, to invalidate or remove them together. */
  readonly all: readonly [R];
  /** Declares one kind of query of this resource, and returns the maker of its keys. */
  kind<const K extends string>(kind: K): <const A extends readonly unknown[]>(...args: A) => readonly [R, K, ...A];
}

export function queryKeys<const R extends string>(root: R): ResourceKeys<R> {
  if (roots.has(root)) throw new Error(`Query keys for "${root}" are declared twice; use the one factory in src/web/http/queries.`);
  const kinds = new Set<string>();
  roots.set(root, kinds);
  return {
    root,
    all: [root] as const,
    kind<const K extends string>(kind: K) {
      if (kinds.has(kind)) throw new Error(`The query kind "${root}/${kind}" is declared twice.`);
      kinds.add(kind);
      return <const A extends readonly unknown[]>(...args: A) => [root, kind, ...args] as const;
    },
  };
}

/** Every declared root with its kinds, for the test that keys stay unique. */
export function declaredQueryKinds(): ReadonlyMap<string, ReadonlySet<string>> {
  return roots;
}
