// Kubernetes OpenAPI (swagger v2 definitions, CRD openAPIV3Schema) to the standalone, strict JSON
// schemas kubeconform reads — what openapi2jsonschema does, in-house, so validation works offline.
// File names follow kubeconform's template `{{ .ResourceKind }}{{ .KindSuffix }}.json`:
// deployment-apps-v1.json, service-v1.json, servicemonitor-monitoring-v1.json.

export type Schema = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** kubeconform's name for a kind: lower-case kind, then the first label of the group, then the version. */
export function schemaFileName(gvk: GroupVersionKind): string {
  const group = gvk.group === '' ? '' : `-${gvk.group.split('.')[0]!.toLowerCase()}`;
  return `${gvk.kind.toLowerCase()}${group}-${gvk.version.toLowerCase()}.json`;
}

const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY = { oneOf: [{ type: 'string' }, { type: 'number' }] };
const SPECIAL: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': INT_OR_STRING,
  'io.k8s.apimachinery.pkg.api.resource.Quantity': QUANTITY,
};

/** Every kind of a swagger v2 document, with its $refs inlined (a cycle becomes `{}`: anything). */
export function kindsFromSwagger(swagger: { definitions: Record<string, Schema> }): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const [name, def] of Object.entries(swagger.definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
    if (!gvks) continue;
    const schema = strict(inline(def, swagger.definitions, [name]));
    for (const gvk of gvks) out.set(schemaFileName(gvk), schema);
  }
  return out;
}

function inline(node: unknown, defs: Record<string, Schema>, stack: string[]): Schema {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs, stack)) as unknown as Schema;
  if (!node || typeof node !== 'object') return node as Schema;
  const obj = node as Schema;
  const ref = obj.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/definitions/', '');
    if (SPECIAL[name]) return SPECIAL[name]!;
    if (stack.includes(name) || !defs[name]) return {};
    return inline(defs[name], defs, [...stack, name]);
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'format' || k === 'x-kubernetes-group-version-kind') continue;
    out[k] = k === 'properties' ? mapValues(v as Record<string, unknown>, (p) => inline(p, defs, stack)) : inline(v, defs, stack);
  }
  return out;
}

/** A CRD's served versions as schemas (x-kubernetes-int-or-string becomes string-or-integer). */
export function kindsFromCrd(crd: {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[] };
}): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const v of crd.spec.versions) {
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) continue;
    out.set(schemaFileName({ group: crd.spec.group, version: v.name, kind: crd.spec.names.kind }), strict(crdNode(schema)));
  }
  return out;
}

function crdNode(node: unknown): Schema {
  if (Array.isArray(node)) return node.map(crdNode) as unknown as Schema;
  if (!node || typeof node !== 'object') return node as Schema;
  const obj = node as Schema;
  if (obj['x-kubernetes-int-or-string'] === true) return INT_OR_STRING;
  const out: Schema = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'format') continue;
    out[k] = k === 'properties' ? mapValues(v as Record<string, unknown>, crdNode) : crdNode(v);
  }
  return out;
}

/** Unknown fields are errors (kubeconform -strict's schemas): a typo in a manifest fails the test. */
function strict(node: Schema): Schema {
  if (Array.isArray(node)) return node.map(strict) as unknown as Schema;
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? mapValues(v as Record<string, unknown>, (p) => strict(p as Schema)) : strict(v as Schema);
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(obj: Record<string, unknown>, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}
