'use strict';
// A minimal Kafka wire-protocol probe, used by tools/kafka/kafka.js to tell
// "a broker is serving requests" apart from "something accepts TCP on the
// port". It speaks just enough of the protocol, with no dependency:
//
//   1. ApiVersions v0 (every broker answers it, whatever it supports), which
//      also tells which Metadata versions the broker accepts;
//   2. Metadata (the lowest non-flexible version, 1..8, the broker accepts),
//      asking for no topics: the answer lists the live, unfenced brokers and
//      the active controller. A KRaft broker opens its listener before it is
//      unfenced, so "our node id is in the broker list" is the real signal that
//      it can host partitions;
//   3. optionally FindCoordinator for a consumer group (v1 or v2): the first
//      such request makes the broker create __consumer_offsets, and until that
//      is done it answers COORDINATOR_NOT_AVAILABLE. A success means consumer
//      groups (kafkajs consumers) can join right away.
//
// Protocol reference: https://kafka.apache.org/protocol (request header v1,
// response header v0; all the versions used here are non-flexible).

const net = require('net');

const API_METADATA = 3;
const API_FIND_COORDINATOR = 10;
const API_VERSIONS = 18;
const CLIENT_ID = 'complaints-kafka-probe';

/** Builds one size-prefixed request with a v1 header (api key, version, correlation id, client id). */
function encodeRequest(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

/** A cursor over a response buffer; throws RangeError on a short read. */
class Reader {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  int16() {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  nullableString() {
    const len = this.int16();
    if (len < 0) return null;
    if (this.pos + len > this.buf.length) throw new RangeError('short string');
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
}

/**
 * Opens one connection and exchanges requests on it in sequence.
 * `exchange(apiKey, version, body)` resolves with a Reader positioned after
 * the correlation id of the matching response.
 */
function connect(host, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let pending = null; // { correlationId, resolve, reject }
    let buffered = Buffer.alloc(0);
    let nextCorrelationId = 1;

    let connected = false;
    const fail = (err) => {
      socket.destroy();
      if (!connected) reject(err);
      if (pending) pending.reject(err);
      pending = null;
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the broker')));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4) return;
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) return;
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      if (!pending) return;
      const reader = new Reader(frame);
      const { correlationId, resolve: done } = pending;
      pending = null;
      if (reader.int32() !== correlationId) return fail(new Error('response does not match the request'));
      done(reader);
    });
    socket.once('connect', () => {
      connected = true;
      resolve({
        exchange(apiKey, version, body) {
          return new Promise((res, rej) => {
            const correlationId = nextCorrelationId++;
            pending = { correlationId, resolve: res, reject: rej };
            socket.write(encodeRequest(apiKey, version, correlationId, body));
          });
        },
        close() {
          socket.removeAllListeners('close');
          socket.destroy();
        },
      });
    });
  });
}

/** ApiVersions v0: returns Map(apiKey -> { min, max }). */
async function apiVersions(conn) {
  const r = await conn.exchange(API_VERSIONS, 0, Buffer.alloc(0));
  const errorCode = r.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions answered with error code ${errorCode}`);
  const versions = new Map();
  for (let n = r.int32(); n > 0; n--) {
    const key = r.int16();
    versions.set(key, { min: r.int16(), max: r.int16() });
  }
  return versions;
}

/** Metadata for no topics, at a non-flexible version (1..8): brokers and controller id. */
async function metadata(conn, range) {
  // The highest non-flexible version both sides speak (v2+ carries the cluster id).
  const version = Math.min(8, range.max);
  if (version < Math.max(1, range.min)) {
    throw new Error(`broker accepts Metadata v${range.min}-v${range.max}; the probe speaks v1-v8`);
  }
  const parts = [Buffer.from([0, 0, 0, 0])]; // topics: empty array (v1+: "no topics", not "all")
  if (version >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation = false
  if (version >= 8) parts.push(Buffer.from([0, 0])); // include cluster/topic authorized operations = false
  const r = await conn.exchange(API_METADATA, version, Buffer.concat(parts));
  if (version >= 3) r.int32(); // throttle_time_ms
  const brokers = [];
  for (let n = r.int32(); n > 0; n--) {
    const nodeId = r.int32();
    const host = r.nullableString();
    const port = r.int32();
    r.nullableString(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = version >= 2 ? r.nullableString() : null;
  const controllerId = r.int32();
  return { version, brokers, clusterId, controllerId };
}

/** Encodes a non-nullable protocol string (int16 length + UTF-8). */
function encodeString(s) {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** FindCoordinator (v1 or v2, key type 0 = group): { errorCode, nodeId, host, port }. */
async function findGroupCoordinator(conn, range, groupId) {
  const version = Math.min(2, range.max);
  if (version < Math.max(1, range.min)) {
    throw new Error(`broker accepts FindCoordinator v${range.min}-v${range.max}; the probe speaks v1-v2`);
  }
  const r = await conn.exchange(API_FIND_COORDINATOR, version, Buffer.concat([encodeString(groupId), Buffer.from([0])]));
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const errorMessage = r.nullableString();
  const nodeId = r.int32();
  const host = r.nullableString();
  const port = r.int32();
  return { errorCode, errorMessage, nodeId, host, port };
}

/**
 * Probes a broker once. Never throws: resolves with
 *   { ok: true, brokers, controllerId, clusterId, apiCount, metadataVersion }
 * when `nodeId` is a live broker of the cluster that answered, or
 *   { ok: false, reason } otherwise (refused, timeout, fenced, garbage).
 * With `groupId`, it also asks for that consumer group's coordinator and is
 * ok only once the broker names one (see 3. above).
 */
async function probe({ host = '127.0.0.1', port, nodeId, groupId, timeoutMs = 2000 }) {
  let conn;
  try {
    conn = await connect(host, port, timeoutMs);
    const versions = await apiVersions(conn);
    const range = versions.get(API_METADATA);
    if (!range) return { ok: false, reason: 'broker does not offer the Metadata API' };
    const md = await metadata(conn, range);
    if (nodeId !== undefined && !md.brokers.some((b) => b.nodeId === nodeId)) {
      return { ok: false, reason: `node ${nodeId} is not (yet) a live broker; brokers: [${md.brokers.map((b) => b.nodeId).join(', ')}]` };
    }
    let coordinator = null;
    if (groupId !== undefined) {
      const fcRange = versions.get(API_FIND_COORDINATOR);
      if (!fcRange) return { ok: false, reason: 'broker does not offer the FindCoordinator API' };
      const fc = await findGroupCoordinator(conn, fcRange, groupId);
      if (fc.errorCode !== 0) {
        // 15 COORDINATOR_NOT_AVAILABLE (offsets topic being created), 14 COORDINATOR_LOAD_IN_PROGRESS
        return { ok: false, reason: `no group coordinator yet (error ${fc.errorCode}${fc.errorMessage ? `: ${fc.errorMessage}` : ''})` };
      }
      coordinator = { nodeId: fc.nodeId, host: fc.host, port: fc.port };
    }
    return {
      ok: true,
      brokers: md.brokers,
      controllerId: md.controllerId,
      clusterId: md.clusterId,
      coordinator,
      apiCount: versions.size,
      metadataVersion: md.version,
    };
  } catch (err) {
    return { ok: false, reason: err.code || err.message };
  } finally {
    if (conn) conn.close();
  }
}

module.exports = { probe };

if (require.main === module) {
  // Ad-hoc use: node tools/kafka/probe.js [port] [host] [groupId]
  const port = Number(process.argv[2] || 9092);
  const host = process.argv[3] || '127.0.0.1';
  const groupId = process.argv[4];
  probe({ host, port, groupId }).then((res) => {
    console.log(JSON.stringify(res));
    process.exitCode = res.ok ? 0 : 1;
  });
}
