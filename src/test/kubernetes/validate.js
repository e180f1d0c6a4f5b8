// Validates rendered manifests (files of YAML documents): each object against its Kubernetes schema
// (kubernetes-models), then what soar-deferred needs of them. Exits non-zero, naming each problem, if any.
// A manifest that the schemas must reject is checked first, so that a validator that accepts anything fails too.
'use strict';
const fs = require('fs');
const yaml = require('js-yaml');

function modelOf(doc) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [null, doc.apiVersion];
  const mod = require('kubernetes-models/' + (group ? group + '/' : '') + version);
  if (!mod[doc.kind]) {
    throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  }
  return mod[doc.kind];
}

function schemaErrors(doc) {
  try {
    new (modelOf(doc))(doc).validate();
    return null;
  } catch (e) {
    return e.message;
  }
}

const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' },
  spec: { replicas: 'two', selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c' }] } } } };
if (!schemaErrors(broken)) {
  console.error('the schema validation accepts a Deployment with replicas: "two": it checks nothing');
  process.exit(2);
}

let problems = 0;
let objects = 0;
function problem(file, what) {
  problems++;
  console.error(`${file}: ${what}`);
}

for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter(Boolean);
  const overlay = !file.endsWith('base.yaml');
  for (const doc of docs) {
    objects++;
    // kustomize wraps long base64 values over several lines, which the API server's decoder (Go's base64) accepts
    // and the schema's "byte" format does not
    if (doc.kind === 'Secret' && doc.data) {
      for (const k of Object.keys(doc.data)) doc.data[k] = String(doc.data[k]).replace(/[\r\n]/g, '');
    }
    const errors = schemaErrors(doc);
    if (errors) {
      problem(file, `${doc.kind} ${doc.metadata && doc.metadata.name}: ${errors}`);
    }
  }
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const deployments = byKind('Deployment');
  if (deployments.length !== 1) {
    problem(file, `expected one Deployment, found ${deployments.length}`);
    continue;
  }
  const d = deployments[0];
  const pod = d.spec.template;
  const c = pod.spec.containers[0];
  const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
  if (!(d.spec.replicas >= 2)) problem(file, `replicas ${d.spec.replicas}: cluster mode wants 2 or more`);
  const probe = (p) => p && p.httpGet && p.httpGet.path;
  if (probe(c.livenessProbe) !== '/observe/health/live') problem(file, 'the liveness probe is not /observe/health/live');
  if (probe(c.readinessProbe) !== '/observe/health/ready') problem(file, 'the readiness probe is not /observe/health/ready');
  const ports = Object.fromEntries(c.ports.map((p) => [p.name, p.containerPort]));
  if (ports.management !== 9876) problem(file, 'no management port 9876 (health and metrics)');
  const a = pod.metadata.annotations || {};
  if (a['prometheus.io/scrape'] !== 'true' || a['prometheus.io/path'] !== '/observe/metrics' || a['prometheus.io/port'] !== '9876') {
    problem(file, 'the pod lacks the Prometheus scrape annotations for /observe/metrics on 9876');
  }
  if (!c.resources || !c.resources.requests || !c.resources.limits || !c.resources.limits.memory) {
    problem(file, 'no resource requests and memory limit');
  }
  if (!(pod.spec.securityContext && pod.spec.securityContext.runAsNonRoot)) problem(file, 'the pod may run as root');
  for (const name of ['SOAR_PASSWORD', 'SOAR_DB_PASSWORD', 'SOAR_DB_URL']) {
    if (!env[name] || !env[name].valueFrom || !env[name].valueFrom.secretKeyRef) problem(file, `${name} does not come from a Secret`);
  }
  if (!env.SOAR_NODE_ID || !env.SOAR_NODE_ID.valueFrom) problem(file, 'SOAR_NODE_ID is not the pod name');
  // the ConfigMap turns cluster mode on
  const configRefs = (c.envFrom || []).filter((e) => e.configMapRef).map((e) => e.configMapRef.name);
  const configs = byKind('ConfigMap').filter((m) => configRefs.includes(m.metadata.name));
  if (configs.length !== configRefs.length) problem(file, `envFrom names a ConfigMap not rendered: ${configRefs}`);
  if (!configs.some((m) => m.data && m.data.SOAR_CLUSTER_ENABLED === 'true')) problem(file, 'cluster mode is not on');
  // the PodDisruptionBudget selects the pods
  const labels = pod.metadata.labels || {};
  const pdbs = byKind('PodDisruptionBudget');
  if (!pdbs.some((p) => Object.entries(p.spec.selector.matchLabels || {}).every(([k, v]) => labels[k] === v))) {
    problem(file, 'no PodDisruptionBudget selects the pods');
  }
  if (!Object.entries(d.spec.selector.matchLabels).every(([k, v]) => labels[k] === v)) {
    problem(file, "the Deployment's selector does not select its pods");
  }
  // every volume's claim is rendered
  for (const v of pod.spec.volumes || []) {
    if (v.persistentVolumeClaim && !byKind('PersistentVolumeClaim').some((p) => p.metadata.name === v.persistentVolumeClaim.claimName)) {
      problem(file, `volume ${v.name}: claim ${v.persistentVolumeClaim.claimName} is not rendered`);
    }
  }
  // an overlay is complete: each Secret that is not optional is rendered (the base leaves them to overlays)
  if (overlay) {
    const secrets = byKind('Secret').map((s) => s.metadata.name);
    for (const e of c.env || []) {
      const ref = e.valueFrom && e.valueFrom.secretKeyRef;
      if (ref && !ref.optional) {
        const s = byKind('Secret').find((x) => x.metadata.name === ref.name);
        if (!s) problem(file, `${e.name}: Secret ${ref.name} is not rendered (${secrets})`);
        else if (!(s.data && s.data[ref.key]) && !(s.stringData && s.stringData[ref.key])) problem(file, `${e.name}: Secret ${ref.name} has no key ${ref.key}`);
      }
    }
    for (const o of docs) {
      if (o.kind !== 'Namespace' && !(o.metadata && o.metadata.namespace)) problem(file, `${o.kind} ${o.metadata.name} has no namespace`);
    }
  }
  console.log(`${file}: ${docs.length} objects valid (${docs.map((o) => o.kind).join(', ')})`);
}
if (problems > 0) {
  console.error(`${problems} problem(s)`);
  process.exit(1);
}
console.log(`${objects} objects valid against the Kubernetes schemas and the service's needs`);
