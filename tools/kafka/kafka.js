#!/usr/bin/env node
'use strict';
// A local, single-node Apache Kafka for development and for the tests of the
// 10086 call-center integration.
//
//   node tools/kafka/kafka.js start      (npm run kafka:start)
//   node tools/kafka/kafka.js stop       (npm run kafka:stop)
//   node tools/kafka/kafka.js status     (npm run kafka:status)
//   node tools/kafka/kafka.js reset      wipe the broker's data (must be stopped)
//   node tools/kafka/kafka.js run-class <main class> [args...]
//                                        run one of Kafka's own tools on the cached
//                                        classpath, e.g. org.apache.kafka.tools.TopicCommand
//
// What `start` does, each phase printing one progress line:
//   1. fetch   Kafka (org.apache.kafka:kafka_2.13 and kafka-tools) with its
//              runtime dependencies and a Log4j 2 binding from Maven Central,
//              using Maven with a generated pom, into .cache/kafka/<version>/libs
//              (once: later runs reuse that folder);
//   2. format  the KRaft storage under .cache/kafka/data (once);
//   3. start   one JVM that is both broker and controller (KRaft combined mode),
//              detached, with its pid in .cache/kafka/kafka.pid and its output in
//              .cache/kafka/kafka.log;
//   4. ready   waits until the broker answers the Kafka protocol on 127.0.0.1:9092,
//              is registered and unfenced, and names a consumer-group coordinator
//              (see probe.js).
// `start` is idempotent (a running broker is left alone) and so is `stop`.
//
// Environment (all optional):
//   KAFKA_VERSION           Kafka version to fetch and run (default below)
//   KAFKA_PORT              client listener port (default 9092)
//   KAFKA_CONTROLLER_PORT   KRaft controller listener port (default KAFKA_PORT + 1)
//   KAFKA_CACHE_DIR         cache folder (default <repo>/.cache/kafka)
//   KAFKA_DATA_DIR          broker data folder (default <cache>/data)
//   KAFKA_HOME              an unpacked Kafka distribution to use instead of fetching
//                           (its libs/ folder must hold the jars)
//   KAFKA_HEAP_OPTS         JVM heap options (default -Xms256m -Xmx512m)
//   KAFKA_OPTS              extra JVM options for the broker
//   KAFKA_START_TIMEOUT_S   how long `start` waits for readiness (default 90)
//   KAFKA_STOP_TIMEOUT_S    how long `stop` waits before SIGKILL (default 30)
//   KAFKA_CDS               0 to run the broker without a class-data archive (see cdsOptions)
//   JAVA_HOME               the Java (17 or later) to use; else `java` on PATH

const fs = require('fs');
const net = require('net');
const path = require('path');
const crypto = require('crypto');
const { spawn, spawnSync } = require('child_process');
const { probe } = require('./probe');

// --- Configuration -----------------------------------------------------------

// 4.4.0 is the newest Kafka on Maven Central when this was written. kafkajs
// 2.2.4 negotiates API versions with ApiVersions and uses versions above the
// floors that Kafka 4 (KIP-896) raised, so it talks to a 4.x broker.
const DEFAULT_KAFKA_VERSION = '4.4.0';
const SCALA_VERSION = '2.13';
// Kafka 4 logs through SLF4J 1.7 (slf4j-api 1.7.36 in its pom) and ships
// log4j-core 2.x; the matching binding is log4j-slf4j-impl (the SLF4J 1.x
// binding; log4j-slf4j2-impl would need slf4j-api 2). Same Log4j version as
// kafka-server's own log4j-core dependency in 4.4.0.
const LOG4J_VERSION = '2.25.5';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MIN_JAVA = 17;
const NODE_ID = 1;
const HOST = '127.0.0.1';
const READY_GROUP = 'complaints-kafka-ready-check';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function config() {
  const cacheDir = path.resolve(process.env.KAFKA_CACHE_DIR || path.join(REPO_ROOT, '.cache', 'kafka'));
  const port = intEnv('KAFKA_PORT', 9092);
  return {
    version: process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION,
    kafkaHome: process.env.KAFKA_HOME ? path.resolve(process.env.KAFKA_HOME) : null,
    port,
    controllerPort: intEnv('KAFKA_CONTROLLER_PORT', port + 1),
    cacheDir,
    dataDir: path.resolve(process.env.KAFKA_DATA_DIR || path.join(cacheDir, 'data')),
    heapOpts: (process.env.KAFKA_HEAP_OPTS || '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean),
    extraOpts: (process.env.KAFKA_OPTS || '').split(/\s+/).filter(Boolean),
    startTimeoutS: intEnv('KAFKA_START_TIMEOUT_S', 90),
    stopTimeoutS: intEnv('KAFKA_STOP_TIMEOUT_S', 30),
    cds: process.env.KAFKA_CDS !== '0',
    pidFile: path.join(cacheDir, 'kafka.pid'),
    stateFile: path.join(cacheDir, 'kafka.json'),
    lockFile: path.join(cacheDir, 'kafka.lock'),
    logFile: path.join(cacheDir, 'kafka.log'),
    serverProperties: path.join(cacheDir, 'server.properties'),
  };
}

// --- Output ------------------------------------------------------------------

class KafkaToolError extends Error {}

function say(msg) {
  console.log(`kafka: ${msg}`);
}

function fail(msg) {
  throw new KafkaToolError(msg);
}

function seconds(sinceMs) {
  return ((Date.now() - sinceMs) / 1000).toFixed(1);
}

function tail(file, lines = 40) {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

function rel(p) {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Processes -----------------------------------------------------------------

/** True if `pid` is a live (not zombie) process. */
function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; a zombie has exited already.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** True if `pid` runs the Kafka server class (guards against a recycled pid). */
function isKafkaProcess(pid) {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('kafka.Kafka');
  } catch {
    return pidAlive(pid); // no /proc: cannot tell, assume the pid file is right
  }
}

function readState(cfg) {
  let state = null;
  try {
    state = JSON.parse(fs.readFileSync(cfg.stateFile, 'utf8'));
  } catch {
    // fall back to a bare pid file
  }
  try {
    const pid = Number(fs.readFileSync(cfg.pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) state = { ...(state || {}), pid };
  } catch {
    // no pid file
  }
  return state && state.pid ? state : null;
}

function clearState(cfg) {
  for (const f of [cfg.pidFile, cfg.stateFile]) fs.rmSync(f, { force: true });
}

/** The broker this tool started, if it is still alive: its state, else null (stale files removed). */
function runningBroker(cfg) {
  const state = readState(cfg);
  if (!state) return null;
  if (pidAlive(state.pid) && isKafkaProcess(state.pid)) return state;
  clearState(cfg);
  return null;
}

/** A start lock, so that two concurrent `start`s do not launch two brokers. */
async function withStartLock(cfg, timeoutS, fn) {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    try {
      fs.writeFileSync(cfg.lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(cfg.lockFile, 'utf8').trim());
      } catch {
        continue; // released between our two calls
      }
      if (!pidAlive(holder)) {
        fs.rmSync(cfg.lockFile, { force: true }); // left by a killed run
        continue;
      }
      if (Date.now() > deadline) fail(`another "kafka start" (pid ${holder}) holds ${rel(cfg.lockFile)}`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(cfg.lockFile, { force: true });
  }
}

/** Resolves true if nothing listens on HOST:port. */
function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Best effort: who listens on a port (`ss` output), for an error message. */
function portOwner(port) {
  const res = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.trim() ? res.stdout.trim() : null;
}

// --- Java and the Kafka classpath ---------------------------------------------------

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function checkJava() {
  const java = javaBin();
  const res = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (res.error) {
    fail(
      `cannot run ${java} (${res.error.code || res.error.message}). Kafka needs Java ${MIN_JAVA} or later: ` +
        `install it (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME.`,
    );
  }
  const out = `${res.stderr}${res.stdout}`;
  const m = out.match(/version "(\d+)(?:\.(\d+))?/);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : NaN;
  if (!(major >= MIN_JAVA)) fail(`Kafka 4 needs Java ${MIN_JAVA} or later; ${java} -version says:\n${out.trim()}`);
  const build = (out.match(/\(build ([^)]+)\)/) || [null, String(major)])[1];
  return { java, major, build };
}

/** The pom whose runtime dependencies are exactly the classpath of the broker and its tools. */
function pomXml(version) {
  const dep = (g, a, v, extra = '') =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>${extra}</dependency>`;
  // kafka-tools (TopicCommand, console producer/consumer, ...) depends on
  // connect-runtime only for the Connect plugin-path tool; leaving it out
  // drops Jetty, Jersey and HK2 (about 25 MB) that a broker never loads.
  const noConnect =
    '<exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tools/kafka/kafka.js: the runtime classpath of a Kafka ${version} broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.complaints</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', `kafka_${SCALA_VERSION}`, version)}
${dep('org.apache.kafka', 'kafka-tools', version, noConnect)}
${dep('org.apache.logging.log4j', 'log4j-api', LOG4J_VERSION)}
${dep('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

/**
 * Returns the folder of jars for `cfg.version`, fetching it with Maven on the
 * first run. The folder is complete once it holds the `.complete` marker: it
 * is filled as libs.tmp and renamed, so an interrupted fetch is redone.
 */
function ensureLibs(cfg, log = say) {
  if (cfg.kafkaHome) {
    const libs = path.join(cfg.kafkaHome, 'libs');
    if (!fs.existsSync(libs)) fail(`KAFKA_HOME=${cfg.kafkaHome} has no libs/ folder`);
    log(`using the Kafka distribution in ${cfg.kafkaHome} (KAFKA_HOME)`);
    return libs;
  }
  const versionDir = path.join(cfg.cacheDir, cfg.version);
  const libs = path.join(versionDir, 'libs');
  if (fs.existsSync(path.join(libs, '.complete'))) {
    const jars = fs.readdirSync(libs).filter((f) => f.endsWith('.jar')).length;
    log(`Kafka ${cfg.version} is cached in ${rel(libs)} (${jars} jars)`);
    return libs;
  }

  const t0 = Date.now();
  const tmp = `${libs}.tmp`;
  const pom = path.join(versionDir, 'pom.xml');
  const mavenLog = path.join(versionDir, 'maven.log');
  fs.mkdirSync(versionDir, { recursive: true });
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(libs, { recursive: true, force: true });
  fs.writeFileSync(pom, pomXml(cfg.version));
  log(`fetching Kafka ${cfg.version} and its dependencies from Maven Central (log: ${rel(mavenLog)}) ...`);

  const out = fs.openSync(mavenLog, 'w');
  const res = spawnSync(
    'mvn',
    ['-B', '-ntp', '-Dstyle.color=never', '-f', pom, `${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  if (res.error) {
    fail(`cannot run mvn (${res.error.code || res.error.message}): install Maven 3 (e.g. apt-get install maven)`);
  }
  if (res.status !== 0) {
    fail(`Maven could not fetch Kafka ${cfg.version} (exit ${res.status}). Last lines of ${rel(mavenLog)}:\n${tail(mavenLog, 30)}`);
  }
  const jars = fs.readdirSync(tmp).filter((f) => f.endsWith('.jar'));
  if (!jars.includes(`kafka_${SCALA_VERSION}-${cfg.version}.jar`)) {
    fail(`Maven finished but ${rel(tmp)} has no kafka_${SCALA_VERSION}-${cfg.version}.jar; see ${rel(mavenLog)}`);
  }
  fs.writeFileSync(path.join(tmp, '.complete'), `${jars.sort().join('\n')}\n`);
  fs.renameSync(tmp, libs);
  log(`fetched Kafka ${cfg.version}: ${jars.length} jars in ${seconds(t0)} s`);
  return libs;
}

/** java arguments for running `mainClass` on the Kafka classpath. */
function javaArgs(libs, mainClass, { jvmOpts = [], log4jConfig }) {
  return [
    ...jvmOpts,
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    '-cp',
    path.join(libs, '*'),
    mainClass,
  ];
}

const BROKER_LOG4J = path.join(__dirname, 'log4j2.properties');
const TOOLS_LOG4J = path.join(__dirname, 'tools-log4j2.properties');

/** Runs a Kafka tool class to completion, capturing its output. */
function runTool(libs, mainClass, args) {
  const { java } = checkJava();
  return spawnSync(java, [...javaArgs(libs, mainClass, { jvmOpts: ['-Xmx256m'], log4jConfig: TOOLS_LOG4J }), ...args], {
    encoding: 'utf8',
  });
}

// --- Class-data sharing ---------------------------------------------------------------

/**
 * JVM options for a dynamic AppCDS archive of the broker's classes, which
 * cuts its start time by about a third on a small machine (measured 6-7 s
 * instead of 10-13 s on 2 busy cores). The first start records the classes it
 * loads (-XX:ArchiveClassesAtExit, written to a `.pending` file when the JVM
 * exits); `stop` keeps that file only if the broker exited on SIGTERM, so a
 * killed JVM never leaves a half-written archive. Later starts map it
 * (-XX:SharedArchiveFile). The archive belongs to one Java build and one
 * classpath, hence its name; a JVM that cannot use it warns in kafka.log and
 * starts without it.
 * Returns { opts, pending } (pending: the file to keep on a clean stop).
 */
function cdsOptions(cfg, javaBuild) {
  if (!cfg.cds || cfg.kafkaHome) return { opts: [], pending: null };
  const archive = path.join(cfg.cacheDir, cfg.version, `broker-cds-java-${javaBuild.replace(/[^\w.+-]/g, '_')}.jsa`);
  if (fs.existsSync(archive)) return { opts: [`-XX:SharedArchiveFile=${archive}`], pending: null };
  const pending = `${archive}.pending`;
  fs.rmSync(pending, { force: true });
  return { opts: [`-XX:ArchiveClassesAtExit=${pending}`], pending };
}

/** After a stop: keep the archive recorded by a cleanly exited broker, drop any other. */
function settleCdsArchive(pending, cleanExit) {
  if (!pending || !fs.existsSync(pending)) return;
  if (cleanExit) {
    fs.renameSync(pending, pending.replace(/\.pending$/, ''));
    say('saved the class-data archive: the next starts are faster');
  } else {
    fs.rmSync(pending, { force: true });
  }
}

// --- Broker configuration and storage -------------------------------------------------

function serverProperties(cfg) {
  const lines = {
    // KRaft combined mode: this one process is the broker and the whole controller quorum.
    'process.roles': 'broker,controller',
    'node.id': NODE_ID,
    'controller.quorum.voters': `${NODE_ID}@${HOST}:${cfg.controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://${HOST}:${cfg.port},CONTROLLER://${HOST}:${cfg.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${cfg.port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': cfg.dataDir,

    // One broker: every internal topic must have replication factor 1, or it is
    // never created and consumer groups never get a coordinator. One partition
    // each makes the first group join (which creates __consumer_offsets) quick.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'share.coordinator.state.topic.num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,

    // Development conveniences.
    'auto.create.topics.enable': true,
    'num.partitions': 3,
    'group.initial.rebalance.delay.ms': 0,
    'delete.topic.enable': true,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.retention.hours': 24,
  };
  const body = Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  return `# Generated by tools/kafka/kafka.js on each start; edits are overwritten.\n${body}\n`;
}

/** A random Kafka cluster id: 16 random bytes, base64url without padding (as Uuid.randomUuid()). */
function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka refuses ids that look like options
  }
}

/** Formats the KRaft storage unless it already is (meta.properties exists). */
function ensureFormatted(cfg, libs) {
  if (fs.existsSync(path.join(cfg.dataDir, 'meta.properties'))) {
    say(`storage in ${rel(cfg.dataDir)} is already formatted`);
    return;
  }
  const t0 = Date.now();
  const clusterId = randomClusterId();
  say(`formatting KRaft storage in ${rel(cfg.dataDir)} (cluster id ${clusterId}) ...`);
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  const res = runTool(libs, 'kafka.tools.StorageTool', ['format', '--cluster-id', clusterId, '--config', cfg.serverProperties]);
  if (res.error || res.status !== 0) {
    const out = `${res.stdout || ''}${res.stderr || ''}`.trim();
    fail(`formatting the storage failed (exit ${res.status}):\n${out || res.error}`);
  }
  say(`formatted in ${seconds(t0)} s`);
}

// --- Readiness -------------------------------------------------------------------------

/**
 * Waits until the broker is ready (see probe.js): it answers ApiVersions and
 * Metadata on the client port, lists node 1 as a live broker, and names a
 * coordinator for a consumer group. Fails early if the process exits.
 */
async function waitReady(cfg, isAlive, deadline) {
  let last = 'not probed yet';
  while (Date.now() < deadline) {
    if (!isAlive()) return { ok: false, reason: 'the broker process exited', exited: true };
    const res = await probe({ host: HOST, port: cfg.port, nodeId: NODE_ID, groupId: READY_GROUP, timeoutMs: 2000 });
    if (res.ok) return res;
    last = res.reason;
    await sleep(250);
  }
  return { ok: false, reason: `not ready after ${cfg.startTimeoutS} s (last probe: ${last})` };
}

// --- Commands --------------------------------------------------------------------------

async function start(cfg) {
  const t0 = Date.now();
  fs.mkdirSync(cfg.cacheDir, { recursive: true });
  // A concurrent start may be fetching Kafka (minutes on a slow network) before its own wait.
  return withStartLock(cfg, cfg.startTimeoutS + 600, async () => {
    const running = runningBroker(cfg);
    if (running) {
      const res = await probe({ host: HOST, port: running.port, nodeId: NODE_ID, timeoutMs: 2000 });
      if (res.ok) {
        say(`already running: Kafka ${running.version || '?'} on ${HOST}:${running.port} (pid ${running.pid})`);
        if (running.version && running.version !== cfg.version && !cfg.kafkaHome) {
          say(`note: KAFKA_VERSION=${cfg.version} was asked for; stop the broker first to switch versions`);
        }
        return;
      }
      // Alive but not answering: still starting, or wedged. Give it the start timeout.
      say(`broker pid ${running.pid} is alive but not ready (${res.reason}); waiting ...`);
      const ready = await waitReady({ ...cfg, port: running.port }, () => pidAlive(running.pid), Date.now() + cfg.startTimeoutS * 1000);
      if (!ready.ok) fail(`${ready.reason}. Last lines of ${rel(cfg.logFile)}:\n${tail(cfg.logFile)}\nTry: npm run kafka:stop`);
      say(`ready: Kafka ${running.version || '?'} on ${HOST}:${running.port} (pid ${running.pid})`);
      return;
    }

    const { java, major, build } = checkJava();
    say(`using Java ${major} (${java}, build ${build})`);
    const libs = ensureLibs(cfg);

    for (const [name, port] of [
      ['client', cfg.port],
      ['controller', cfg.controllerPort],
    ]) {
      if (!(await portFree(port))) {
        const kafka = await probe({ host: HOST, port, timeoutMs: 1000 });
        const owner = portOwner(port);
        fail(
          `${name} port ${HOST}:${port} is already taken` +
            (kafka.ok ? ' by a Kafka broker that this tool did not start' : '') +
            (owner ? `:\n${owner}` : '') +
            `\nStop that process, or choose other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT.`,
        );
      }
    }

    fs.writeFileSync(cfg.serverProperties, serverProperties(cfg));
    ensureFormatted(cfg, libs);

    // Keep the previous run's log next to the new one.
    if (fs.existsSync(cfg.logFile)) fs.renameSync(cfg.logFile, `${cfg.logFile}.1`);
    const log = fs.openSync(cfg.logFile, 'a');
    const cds = cdsOptions(cfg, build);
    const jvmOpts = [
      ...cfg.heapOpts,
      ...cds.opts,
      // Kafka's own defaults (kafka-run-class.sh / kafka-server-start.sh).
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      `-Dkafka.logs.dir=${cfg.cacheDir}`,
      ...cfg.extraOpts,
    ];
    say(`starting the broker (KRaft broker+controller, node ${NODE_ID}) on ${HOST}:${cfg.port}, controller ${HOST}:${cfg.controllerPort} (log: ${rel(cfg.logFile)}) ...`);
    const child = spawn(java, [...javaArgs(libs, 'kafka.Kafka', { jvmOpts, log4jConfig: BROKER_LOG4J }), cfg.serverProperties], {
      detached: true, // its own process group: it outlives this script and a Ctrl-C of it
      stdio: ['ignore', log, log],
      cwd: cfg.cacheDir,
    });
    fs.closeSync(log);
    let exited = null;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    const state = {
      pid: child.pid,
      version: cfg.kafkaHome ? `(KAFKA_HOME ${cfg.kafkaHome})` : cfg.version,
      port: cfg.port,
      controllerPort: cfg.controllerPort,
      dataDir: cfg.dataDir,
      logFile: cfg.logFile,
      cdsPending: cds.pending,
      startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(cfg.pidFile, `${child.pid}\n`);
    fs.writeFileSync(cfg.stateFile, `${JSON.stringify(state, null, 2)}\n`);

    const ready = await waitReady(cfg, () => exited === null, Date.now() + cfg.startTimeoutS * 1000);
    if (!ready.ok) {
      let how;
      if (exited) {
        how = ` (exit code ${exited.code}${exited.signal ? `, signal ${exited.signal}` : ''})`;
      } else {
        // Do not leave a half-started broker behind.
        await terminate(child.pid, cfg.stopTimeoutS);
        how = '; stopped it';
      }
      settleCdsArchive(cds.pending, false);
      clearState(cfg);
      fail(`the broker did not become ready: ${ready.reason}${how}. Last lines of ${rel(cfg.logFile)}:\n${tail(cfg.logFile)}`);
    }
    child.unref();
    child.removeAllListeners('exit');
    say(
      `ready in ${seconds(t0)} s: Kafka ${state.version} on ${HOST}:${cfg.port} (pid ${child.pid}; ` +
        `cluster ${ready.clusterId}, group coordinator node ${ready.coordinator.nodeId})`,
    );
  });
}

/** SIGTERM, wait up to `timeoutS`, then SIGKILL. Resolves with how it ended. */
async function terminate(pid, timeoutS) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if (err.code === 'ESRCH') return 'gone';
    throw err;
  }
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return 'SIGTERM';
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
  for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
  return 'SIGKILL';
}

async function stop(cfg) {
  const state = readState(cfg);
  if (!state) {
    say('not running');
    return;
  }
  if (!pidAlive(state.pid)) {
    clearState(cfg);
    say(`not running (removed the stale pid file of pid ${state.pid})`);
    return;
  }
  if (!isKafkaProcess(state.pid)) {
    clearState(cfg);
    say(`not running (pid ${state.pid} from the pid file is now another program; left it alone, removed the pid file)`);
    return;
  }
  const t0 = Date.now();
  say(
    `stopping Kafka ${state.version || ''} (pid ${state.pid})` +
      (state.cdsPending ? ', which first writes its class-data archive (once, a few seconds)' : '') +
      ' ...',
  );
  const how = await terminate(state.pid, cfg.stopTimeoutS);
  if (pidAlive(state.pid)) fail(`pid ${state.pid} is still alive after SIGKILL`);
  settleCdsArchive(state.cdsPending, how === 'SIGTERM');
  clearState(cfg);
  if (how === 'SIGKILL') say(`it did not exit within ${cfg.stopTimeoutS} s of SIGTERM; killed it (SIGKILL)`);
  else say(`stopped in ${seconds(t0)} s`);
}

async function status(cfg) {
  const state = runningBroker(cfg);
  if (!state) {
    const stray = await probe({ host: HOST, port: cfg.port, timeoutMs: 1000 });
    say(`not running (port ${cfg.port})${stray.ok ? `; but a Kafka broker this tool did not start answers on ${HOST}:${cfg.port}` : ''}`);
    return;
  }
  const res = await probe({ host: HOST, port: state.port, nodeId: NODE_ID, timeoutMs: 2000 });
  say(`${res.ok ? 'running' : `running but not answering (${res.reason})`}: Kafka ${state.version || '?'} on ${HOST}:${state.port}`);
  console.log(`  pid         ${state.pid}`);
  console.log(`  controller  ${HOST}:${state.controllerPort}`);
  console.log(`  started     ${state.startedAt}`);
  console.log(`  data        ${rel(state.dataDir)}`);
  console.log(`  log         ${rel(state.logFile)}`);
  if (res.ok) console.log(`  cluster id  ${res.clusterId}`);
}

async function reset(cfg) {
  if (runningBroker(cfg)) fail('the broker is running; npm run kafka:stop first');
  fs.rmSync(cfg.dataDir, { recursive: true, force: true });
  say(`removed ${rel(cfg.dataDir)}; the next start formats fresh storage`);
}

async function runClass(cfg, args) {
  if (args.length === 0) fail('usage: kafka.js run-class <main class> [args...]');
  const { java } = checkJava();
  // Progress on stderr, only when there is some: the tool's stdout stays its own.
  const libs = ensureLibs(cfg, (msg) => {
    if (!msg.includes(' is cached in ')) console.error(`kafka: ${msg}`);
  });
  const [mainClass, ...rest] = args;
  const res = spawnSync(java, [...javaArgs(libs, mainClass, { jvmOpts: ['-Xmx256m'], log4jConfig: TOOLS_LOG4J }), ...rest], {
    stdio: 'inherit',
  });
  process.exitCode = res.status === null ? 1 : res.status;
}

const COMMANDS = { start, stop, status, reset, 'run-class': runClass };

async function main(argv) {
  const [command, ...args] = argv;
  const fn = COMMANDS[command];
  if (!fn) {
    console.error(`usage: node tools/kafka/kafka.js <${Object.keys(COMMANDS).join('|')}>`);
    process.exitCode = 2;
    return;
  }
  try {
    await fn(config(), args);
  } catch (err) {
    if (err instanceof KafkaToolError) {
      console.error(`kafka: error: ${err.message}`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}

main(process.argv.slice(2));
