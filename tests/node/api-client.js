// api-client.js - drives every route of the HTTP API through
// swagger-client, a client built from the served /openapi.json by people
// who never saw this server, and checks every answer against the schema
// the document gives for its status (ajv, JSON Schema 2020-12).
//
//   node api-client.js URL TOKEN PLUGIN_FOLDER
//
// Prints one line per check: "ok<TAB>text" or "not ok<TAB>text<TAB>why";
// tests/engine/api_client.sh turns them into TAP.
'use strict';

const SwaggerClient = require('swagger-client');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const [base, token, pluginFolder] = process.argv.slice(2);
const auth = { Authorization: `Bearer ${token}` };

function report(pass, text, why) {
	console.log(pass ? `ok\t${text}` : `not ok\t${text}\t${why || ''}`);
}

let doc, ajv, client;

// The operation of the document by its operationId.
function operation(opId) {
	for (const [path, item] of Object.entries(doc.paths))
		for (const [method, op] of Object.entries(item))
			if (op.operationId === opId)
				return { path, method, op };
	throw new Error(`no operation ${opId} in the document`);
}

function deref(o) {
	while (o && o.$ref)
		o = o.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k], doc);
	return o;
}

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Every time is RFC 3339 UTC with milliseconds, every duration has at
// most three decimals: the API's one form, wherever it appears.
function formsOk(v, key, bad) {
	if (typeof v === 'string' &&
	    /^\d{4}-\d\d-\d\d[T ][\d:.]+(Z|[+-]\d\d(:?\d\d)?)?$/.test(v) &&
	    !TIME.test(v))
		bad.push(`${key}: ${v}`);
	else if (typeof v === 'number' && /duration|_cpu$/.test(key || '') &&
	    Math.abs(v * 1000 - Math.round(v * 1000)) > 1e-6)
		bad.push(`${key}: ${v}`);
	else if (v && typeof v === 'object')
		for (const [k, x] of Object.entries(v))
			formsOk(x, Array.isArray(v) ? key : k, bad);
	return bad;
}

// The answer checked against the document: a declared status, the
// schema of that status, the declared headers.
function checkAnswer(opId, res) {
	const { op } = operation(opId);
	const declared = deref(op.responses[String(res.status)]);
	const what = `${opId} ${res.status}`;

	if (!declared) {
		report(false, `${what}: a status the document declares`,
		    JSON.stringify(res.body));
		return;
	}
	const json = declared.content && declared.content['application/json'];
	if (json) {
		const validate = ajv.compile(rooted(json.schema));
		const valid = validate(res.body);
		report(valid, `${what}: the body matches its schema`,
		    JSON.stringify(validate.errors));
	} else if (res.status === 204)
		report(!res.text || res.text === '' || res.text.size === 0,
		    `${what}: no body`, res.text);
	for (const h of Object.keys(declared.headers || {}))
		report(res.headers[h.toLowerCase()] !== undefined,
		    `${what}: header ${h}`, JSON.stringify(res.headers));
	// ... and in a text body, the time that starts each line.
	const bad = json ? formsOk(res.body, null, []) : opId !== 'getRunLog' ?
	    [] : String(res.text || '')
	    .split('\n').filter((l) => l && !TIME.test(l.split(' ')[0]));
	report(bad.length === 0, `${what}: times RFC 3339 UTC ms, durations ms`,
	    bad.join(', '));
}

// The schema with its references pointed into the document ajv holds.
function rooted(schema) {
	return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#/g,
	    '"$ref":"openapi.json#'));
}

async function call(opId, parameters = {}, requestBody) {
	let res;
	try {
		res = await client.execute({ operationId: opId, parameters,
		    requestBody });
	} catch (e) {
		if (!e.response)
			throw e;
		res = e.response;
	}
	checkAnswer(opId, res);
	return res;
}

function expect(res, status, text) {
	report(res.status === status, `${text}: ${status}`,
	    `${res.status} ${res.text}`);
}

async function tasks() {
	// In 2099: a cron of every day's 04:30 fired when the suite ran at
	// 04:30 UTC, and the metrics below counted two runs, not one.
	let r = await call('createTask', {}, { name: 'Nightly report',
	    func_path: 'exec:echo hello', trigger: 'cron',
	    trigger_args: { year: 2099, hour: 4, minute: 30 }, max_retries: 2,
	    misfire_grace_time: 60, coalesce: false, max_instances: 2 });
	expect(r, 201, 'createTask');
	report(r.body.id === 'nightly-report', 'createTask: the id from the name',
	    r.body.id);
	report(r.body.source === 'api', 'createTask: source api', r.body.source);
	report(r.body.trigger_args.hour === 4, 'createTask: integers stay integers',
	    JSON.stringify(r.body.trigger_args));
	report(r.headers.location === '/manager/tasks/nightly-report',
	    'createTask: Location', r.headers.location);
	r = await call('createTask', {}, { id: 'nightly-report', name: 'x',
	    func_path: 'exec:true', trigger: 'interval',
	    trigger_args: { hours: 1 } });
	expect(r, 409, 'createTask with a taken id');
	report(r.body.type === 'already_exists', 'createTask 409: type already_exists',
	    r.body.type);
	r = await call('createTask', {}, { func_path: 7 });
	expect(r, 422, 'createTask with a wrong body');
	await call('createTask', {}, { name: 'Second', func_path: 'exec:true',
	    trigger: 'interval', trigger_args: { hours: 1 } });
	r = await call('listTasks', { limit: 1, offset: 1 });
	expect(r, 200, 'listTasks');
	report(r.body.length === 1 && r.headers['x-total-count'] === '2',
	    'listTasks: a page of 1 of 2', `${r.body.length} ${r.headers['x-total-count']}`);
	r = await call('listTasks', { limit: -1 });
	expect(r, 422, 'listTasks with a negative limit');
	r = await call('getTask', { task_id: 'nightly-report' });
	expect(r, 200, 'getTask');
	const full = { ...r.body, name: 'Renamed report' };
	r = await call('updateTask', { task_id: 'nightly-report' }, full);
	expect(r, 200, 'updateTask with the body taken from GET');
	report(r.body.name === 'Renamed report', 'updateTask: the state after',
	    r.body.name);
	r = await call('updateTask', { task_id: 'nightly-report' }, { enabled: false });
	report(r.body.status === 'paused' && r.body.enabled === false,
	    'updateTask {enabled: false}: answers paused', r.body.status);
	r = await call('patchTask', { task_id: 'nightly-report' }, { enabled: true,
	    trigger_args: { hour: 5 } });
	expect(r, 200, 'patchTask');
	report(r.body.status === 'scheduled' && r.body.trigger_args.hour === 5,
	    'patchTask: the state after', JSON.stringify(r.body));
	r = await call('getTask', { task_id: 'nope' });
	expect(r, 404, 'getTask of an unknown task');
	report(r.body.type === 'not_found', 'getTask 404: type not_found', r.body.type);
	r = await call('pauseTask', { task_id: 'nightly-report' });
	expect(r, 200, 'pauseTask');
	r = await call('resumeTask', { task_id: 'nightly-report' });
	expect(r, 200, 'resumeTask');
	r = await call('runTask', { task_id: 'nightly-report' });
	expect(r, 202, 'runTask');
	report(r.headers.location === `/manager/runs/${r.body.id}`,
	    'runTask: Location of the run', r.headers.location);
	const run = r.body.id;
	// Up to 30 s: an ASan engine on a loaded machine, not a bound.
	for (let i = 0; i < 300; i++) {
		r = await call('getRun', { run_id: run });
		if (r.body.ended_at)
			break;
		await new Promise((ok) => setTimeout(ok, 100));
	}
	expect(r, 200, 'getRun');
	report(r.body.status === 'succeeded', 'getRun: the run ended', r.body.status);
	r = await call('getRunLog', { run_id: run });
	report(r.status === 200 || r.status === 404, 'getRunLog: 200, or 404 '
	    + 'without full logs', r.status);
	r = await call('listTaskRuns', { task_id: 'nightly-report' });
	expect(r, 200, 'listTaskRuns');
	r = await call('stopTask', { task_id: 'nightly-report' });
	expect(r, 200, 'stopTask');
	r = await call('deleteTask', { task_id: 'second' });
	expect(r, 204, 'deleteTask');
}

async function plugins() {
	let r = await call('installPlugin', {}, { path: pluginFolder,
	    name: 'Hello' });
	expect(r, 201, 'installPlugin');
	r = await call('listPlugins');
	expect(r, 200, 'listPlugins');
	r = await call('getPlugin', { plugin_id: 'hello' });
	expect(r, 200, 'getPlugin');
	r = await call('updatePlugin', { plugin_id: 'hello' }, { ...r.body,
	    enabled: true });
	expect(r, 200, 'updatePlugin with the body taken from GET');
	report(r.body.enabled === true, 'updatePlugin: enabled after', r.body.enabled);
	r = await call('patchPlugin', { plugin_id: 'hello' }, { enabled: false });
	report(r.body.enabled === false, 'patchPlugin: disabled after', r.body.enabled);
	r = await call('enablePlugin', { plugin_id: 'hello' });
	expect(r, 200, 'enablePlugin');
	r = await call('reloadPlugin', { plugin_id: 'hello' });
	expect(r, 200, 'reloadPlugin');
	r = await call('createSnapshot', { plugin_id: 'hello' });
	expect(r, 201, 'createSnapshot');
	const sid = r.body.id;
	r = await call('listPluginSnapshots', { plugin_id: 'hello' });
	expect(r, 200, 'listPluginSnapshots');
	r = await call('listSnapshots');
	expect(r, 200, 'listSnapshots');
	r = await call('restoreSnapshot', { snapshot_id: sid });
	expect(r, 200, 'restoreSnapshot');
	r = await call('deleteSnapshot', { snapshot_id: sid });
	expect(r, 204, 'deleteSnapshot');
	r = await call('disablePlugin', { plugin_id: 'hello' });
	expect(r, 200, 'disablePlugin');
	r = await call('uninstallPlugin', { plugin_id: 'hello' });
	expect(r, 204, 'uninstallPlugin');
	r = await call('getPlugin', { plugin_id: 'hello' });
	expect(r, 404, 'getPlugin after uninstall');
}

async function host() {
	let r = await call('getMetrics');
	expect(r, 200, 'getMetrics');
	for (const m of ['manager_runs{task="nightly-report",status="succeeded"} 1',
	    'manager_run_lateness_seconds_bucket{le="+Inf"}',
	    'manager_runs_running ', 'manager_runs_queued ',
	    'manager_host_uptime_seconds '])
		report(r.text.includes(m), `getMetrics: ${m}`, r.text);
	r = await call('getOpenAPI');
	expect(r, 200, 'getOpenAPI');
}

// 405 with Allow on every path of the document, with the methods it
// declares.
async function methods() {
	const ids = { task_id: 'nightly-report', plugin_id: 'hello', run_id: '1',
	    snapshot_id: '1' };
	for (const [path, item] of Object.entries(doc.paths)) {
		const declared = Object.keys(item).map((m) => m.toUpperCase());
		const other = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
		    .find((m) => !declared.includes(m));
		const url = base + path.replace(/\{(\w+)\}/g, (_, k) => ids[k]);
		const res = await fetch(url, { method: other, headers: auth });
		const allow = res.headers.get('allow') || '';
		report(res.status === 405 && allow.split(', ').sort().join() ===
		    declared.sort().join(), `${other} ${path}: 405 with Allow`,
		    `${res.status} Allow: ${allow}`);
	}
}

async function main() {
	const res = await fetch(`${base}/openapi.json`, { headers: auth });
	doc = await res.json();
	report(doc.openapi === '3.1.0', 'GET /openapi.json: OpenAPI 3.1', doc.openapi);
	ajv = new Ajv2020({ strict: false, allErrors: true });
	addFormats(ajv);
	ajv.addSchema(doc, 'openapi.json');
	client = await SwaggerClient({ url: `${base}/openapi.json`,
	    requestInterceptor: (req) => { Object.assign(req.headers, auth); return req; } });
	report(Object.keys(client.apis).length > 0, 'swagger-client built a client',
	    Object.keys(client.apis));
	// Building the client can keep node's loop busy for longer than the
	// server keeps an idle connection (api.connection_timeout_seconds):
	// the connections it kept are closed by then, and node finds out
	// only when it sends on one.  A GET on each clears them.
	for (let i = 0; i < 4; i++)
		await fetch(`${base}/openapi.json`, { headers: auth })
		    .then((r) => r.text()).catch(() => {});
	await tasks();
	await plugins();
	await host();
	await methods();
}

main().catch((e) => { report(false, 'the client ran to the end',
    `${e.stack} ${e.cause ? e.cause.stack : ''}`.replace(/\n/g, ' '));
    process.exitCode = 1; });
