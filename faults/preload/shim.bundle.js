// deno-fmt-ignore-file
// deno-lint-ignore-file
// Generated from faults/preload/shim.ts by `deno run -A faults/preload/bundle.ts`: do not edit.
var POINTS = [
  "process.start",
  "registry.fetch",
  "fs.extract",
  "fs.remove",
  "lock.acquire",
  "lockfile.write",
  "lock.release",
  "catalog.begin",
  "catalog.commit",
  "catalog.rollback",
  "process.exit"
];
var PHASES = [
  "before",
  "after"
];
var ERROR_CODES = [
  "EIO",
  "ENOSPC",
  "EACCES",
  "SQLITE_BUSY",
  "ECONNREFUSED"
];
var ERRORS_BY_POINT = {
  "process.start": [],
  "registry.fetch": [
    "ECONNREFUSED"
  ],
  "fs.extract": [
    "EIO",
    "ENOSPC",
    "EACCES"
  ],
  "fs.remove": [
    "EIO",
    "EACCES"
  ],
  "lock.acquire": [
    "EIO",
    "ENOSPC",
    "EACCES"
  ],
  "lockfile.write": [
    "EIO",
    "ENOSPC",
    "EACCES"
  ],
  "lock.release": [
    "EIO",
    "EACCES"
  ],
  "catalog.begin": [
    "SQLITE_BUSY",
    "EIO"
  ],
  "catalog.commit": [
    "SQLITE_BUSY",
    "EIO"
  ],
  "catalog.rollback": [
    "SQLITE_BUSY",
    "EIO"
  ],
  "process.exit": []
};
var CONTEND_POINTS = [
  "lock.acquire"
];
var PROCESS_POINTS = [
  "process.start",
  "process.exit"
];
var PROCESS_POINT_ACTIONS = [
  "delay",
  "crash",
  "pause"
];
var OP_KINDS = [
  "init",
  "pull",
  "rm",
  "update",
  "list",
  "doctor"
];
var LIMITS = {
  /** Longest single delay a rule may inject. */
  delayMsMax: 6e4,
  /** Longest a `pause` may park a process before it resumes on its own. */
  pauseTimeoutMsMax: 12e4,
  /** Most lock attempts a `contend` may make look held. */
  contendAttemptsMax: 1e3,
  /** Most rules one process may carry. */
  rulesPerProcessMax: 256,
  /** Most events one process may log before the shim stops logging (and says so). */
  eventsPerProcessMax: 1e5,
  /** Highest hit number a rule may name. */
  hitNthMax: 1e6
};
function isPoint(value) {
  return typeof value === "string" && POINTS.includes(value);
}
function isPhase(value) {
  return typeof value === "string" && PHASES.includes(value);
}
function isErrorCode(value) {
  return typeof value === "string" && ERROR_CODES.includes(value);
}
function isOpKind(value) {
  return typeof value === "string" && OP_KINDS.includes(value);
}

function eventMarkerPath(controlDir, process, e) {
  return `${controlDir}/event-${process}-${e.point}-${e.phase}-${e.hit}`;
}
var DEFAULT_PATTERNS = {
  lockfile: "upstream_extensions.json",
  lock: "upstream_extensions.json.lock",
  catalog: "_extension_catalog.db",
  extractDir: "/.swamp/pulled-extensions/",
  registryUrlEnv: "SWAMP_CLUB_URL"
};
var SHIM_CONFIG_FORMAT = "swamp-sim.shim/1";
var SHIM_CONFIG_ENV = "SWAMP_SIM_SHIM_CONFIG";
var SHIM_CONFIG_EXIT_CODE = 86;
var RuleError = class extends Error {
  path;
  constructor(path, message) {
    super(`${path}: ${message}`);
    this.name = "RuleError";
    this.path = path;
  }
};
function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function checkKeys(value, allowed, path) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new RuleError(`${path}.${key}`, "unknown field");
  }
}
function intIn(value, min, max, path) {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RuleError(path, `must be an integer, got ${JSON.stringify(value)}`);
  }
  if (value < min || value > max) {
    throw new RuleError(path, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
function str(value, path) {
  if (typeof value !== "string" || value.length === 0) {
    throw new RuleError(path, "must be a non-empty string");
  }
  return value;
}
function actionProblem(at, when, action) {
  if (PROCESS_POINTS.includes(at)) {
    if (when !== "before") return `"${at}" has only the before phase`;
    if (!PROCESS_POINT_ACTIONS.includes(action.kind)) {
      return `${action.kind} cannot be taken at "${at}" (allowed: ${PROCESS_POINT_ACTIONS.join(", ")})`;
    }
  }
  switch (action.kind) {
    case "error": {
      const allowed = ERRORS_BY_POINT[at];
      if (!allowed.includes(action.error)) {
        return allowed.length === 0 ? `error cannot be raised at "${at}"` : `error "${action.error}" cannot be raised at "${at}" (allowed: ${allowed.join(", ")})`;
      }
      return void 0;
    }
    case "contend":
      if (!CONTEND_POINTS.includes(at)) {
        return `contend only applies at ${CONTEND_POINTS.join(", ")}`;
      }
      if (when !== "before") return `contend only applies before the step`;
      return void 0;
    case "delay":
      if ("delayMs" in action) return void 0;
      if (action.delayMsMin > action.delayMsMax) return "delayMsMin must not exceed delayMsMax";
      return void 0;
    case "crash":
    case "pause":
      return void 0;
  }
}
function parseShimAction(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  switch (value.kind) {
    case "delay":
      if ("delayMs" in value) {
        checkKeys(value, [
          "kind",
          "delayMs"
        ], path);
        return {
          kind: "delay",
          delayMs: intIn(value.delayMs, 0, LIMITS.delayMsMax, `${path}.delayMs`)
        };
      }
      checkKeys(value, [
        "kind",
        "delayMsMin",
        "delayMsMax",
        "seed"
      ], path);
      return {
        kind: "delay",
        delayMsMin: intIn(value.delayMsMin, 0, LIMITS.delayMsMax, `${path}.delayMsMin`),
        delayMsMax: intIn(value.delayMsMax, 0, LIMITS.delayMsMax, `${path}.delayMsMax`),
        seed: intIn(value.seed, 0, 4294967295, `${path}.seed`)
      };
    case "crash":
      checkKeys(value, [
        "kind"
      ], path);
      return {
        kind: "crash"
      };
    case "error":
      checkKeys(value, [
        "kind",
        "error"
      ], path);
      if (!isErrorCode(value.error)) {
        throw new RuleError(`${path}.error`, `unknown error code ${JSON.stringify(value.error)}`);
      }
      return {
        kind: "error",
        error: value.error
      };
    case "contend":
      checkKeys(value, [
        "kind",
        "attempts"
      ], path);
      return {
        kind: "contend",
        attempts: intIn(value.attempts, 1, LIMITS.contendAttemptsMax, `${path}.attempts`)
      };
    case "pause": {
      checkKeys(value, [
        "kind",
        "timeoutMs",
        "untilExitOf",
        "untilEvents"
      ], path);
      const until = value.untilExitOf;
      if (!Array.isArray(until)) throw new RuleError(`${path}.untilExitOf`, "must be an array");
      const events = value.untilEvents ?? [];
      if (!Array.isArray(events)) throw new RuleError(`${path}.untilEvents`, "must be an array");
      return {
        kind: "pause",
        timeoutMs: intIn(value.timeoutMs, 1, LIMITS.pauseTimeoutMsMax, `${path}.timeoutMs`),
        untilExitOf: until.map((p, i) => intIn(p, 0, 1e6, `${path}.untilExitOf[${i}]`)),
        ...events.length === 0 ? {} : {
          untilEvents: events.map((e, i) => parseEventRef(e, `${path}.untilEvents[${i}]`))
        }
      };
    }
    default:
      throw new RuleError(`${path}.kind`, `unknown action ${JSON.stringify(value.kind)}`);
  }
}
function parsePublished(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, [
    "point",
    "phase",
    "hit"
  ], path);
  if (!isPoint(value.point)) {
    throw new RuleError(`${path}.point`, `unknown point ${JSON.stringify(value.point)}`);
  }
  if (!isPhase(value.phase)) throw new RuleError(`${path}.phase`, `must be "before" or "after"`);
  return {
    point: value.point,
    phase: value.phase,
    hit: intIn(value.hit, 1, LIMITS.hitNthMax, `${path}.hit`)
  };
}
function parseEventRef(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, [
    "process",
    "point",
    "phase",
    "hit"
  ], path);
  const { process: _process, ...rest } = value;
  return {
    process: intIn(value.process, 0, 1e6, `${path}.process`),
    ...parsePublished(rest, path)
  };
}
function parseShimHit(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  if ("nth" in value) {
    checkKeys(value, [
      "nth"
    ], path);
    return {
      nth: intIn(value.nth, 1, LIMITS.hitNthMax, `${path}.nth`)
    };
  }
  if ("every" in value) {
    checkKeys(value, [
      "every"
    ], path);
    if (value.every !== true) throw new RuleError(`${path}.every`, "must be true");
    return {
      every: true
    };
  }
  if ("probability" in value) {
    checkKeys(value, [
      "probability",
      "seed"
    ], path);
    const p = value.probability;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RuleError(`${path}.probability`, `must be a number in [0, 1], got ${JSON.stringify(p)}`);
    }
    return {
      probability: p,
      seed: intIn(value.seed, 0, 4294967295, `${path}.seed`)
    };
  }
  throw new RuleError(path, "must have one of nth, every, probability");
}
function parseShimRule(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, [
    "id",
    "at",
    "when",
    "action",
    "hit"
  ], path);
  if (!isPoint(value.at)) {
    throw new RuleError(`${path}.at`, `unknown point ${JSON.stringify(value.at)} (known: ${POINTS.join(", ")})`);
  }
  if (!isPhase(value.when)) throw new RuleError(`${path}.when`, `must be "before" or "after"`);
  const action = parseShimAction(value.action, `${path}.action`);
  const problem = actionProblem(value.at, value.when, action);
  if (problem !== void 0) throw new RuleError(`${path}.action`, problem);
  return {
    id: str(value.id, `${path}.id`),
    at: value.at,
    when: value.when,
    action,
    hit: parseShimHit(value.hit, `${path}.hit`)
  };
}
function parsePatterns(value, path) {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, Object.keys(DEFAULT_PATTERNS), path);
  return {
    lockfile: str(value.lockfile, `${path}.lockfile`),
    lock: str(value.lock, `${path}.lock`),
    catalog: str(value.catalog, `${path}.catalog`),
    extractDir: str(value.extractDir, `${path}.extractDir`),
    registryUrlEnv: str(value.registryUrlEnv, `${path}.registryUrlEnv`)
  };
}
function parsePublishList(value) {
  if (!Array.isArray(value)) throw new RuleError("$.publish", "must be an array");
  return value.map((e, i) => parsePublished(e, `$.publish[${i}]`));
}
function parseShimConfig(value) {
  if (!isRecord(value)) throw new RuleError("$", "must be an object");
  checkKeys(value, [
    "format",
    "process",
    "op",
    "eventsPath",
    "controlDir",
    "patterns",
    "rules",
    "publish"
  ], "$");
  if (value.format !== SHIM_CONFIG_FORMAT) {
    throw new RuleError("$.format", `must be "${SHIM_CONFIG_FORMAT}", got ${JSON.stringify(value.format)}`);
  }
  if (!isOpKind(value.op)) throw new RuleError("$.op", `unknown op ${JSON.stringify(value.op)}`);
  const rules = value.rules;
  if (!Array.isArray(rules)) throw new RuleError("$.rules", "must be an array");
  if (rules.length > LIMITS.rulesPerProcessMax) {
    throw new RuleError("$.rules", `at most ${LIMITS.rulesPerProcessMax} rules per process, got ${rules.length}`);
  }
  return {
    format: SHIM_CONFIG_FORMAT,
    process: intIn(value.process, 0, 1e6, "$.process"),
    op: value.op,
    eventsPath: str(value.eventsPath, "$.eventsPath"),
    controlDir: str(value.controlDir, "$.controlDir"),
    patterns: parsePatterns(value.patterns, "$.patterns"),
    rules: rules.map((r, i) => parseShimRule(r, `$.rules[${i}]`)),
    ...value.publish === void 0 ? {} : {
      publish: parsePublishList(value.publish)
    }
  };
}

function replaceMethod(owner, key, make) {
  const descriptor = Object.getOwnPropertyDescriptor(owner, key);
  if (descriptor === void 0 || typeof descriptor.value !== "function") {
    throw new Error(`Cannot patch "${key}": not an own method of its owner`);
  }
  const original = descriptor.value;
  const replacement = make(original);
  Object.defineProperty(replacement, "name", {
    value: original.name,
    configurable: true
  });
  Object.defineProperty(replacement, "length", {
    value: original.length,
    configurable: true
  });
  Object.defineProperty(owner, key, {
    ...descriptor,
    value: replacement
  });
}
function ownerOf(start, key) {
  for (let o = start; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return o;
  }
  throw new Error(`Cannot patch "${key}": no object on the prototype chain owns it`);
}
function shadowMethod(instance, key, make) {
  const original = Reflect.get(instance, key);
  if (typeof original !== "function") {
    throw new Error(`Cannot patch "${key}": the instance has no such method`);
  }
  const replacement = make(original);
  Object.defineProperty(replacement, "name", {
    value: original.name,
    configurable: true
  });
  Object.defineProperty(replacement, "length", {
    value: original.length,
    configurable: true
  });
  Object.defineProperty(instance, key, {
    value: replacement,
    writable: true,
    enumerable: false,
    configurable: true
  });
}

function patchExit(runtime) {
  let exiting = false;
  const exitPoint = () => {
    if (exiting) return;
    exiting = true;
    runtime.processPointSync("process.exit");
  };
  replaceMethod(Deno, "exit", (original) => function(...args) {
    exitPoint();
    return original.apply(this, args);
  });
  globalThis.addEventListener("unload", exitPoint);
}

function pathOf(value, cwd) {
  let path;
  if (typeof value === "string") path = value;
  else if (value instanceof URL) {
    if (value.protocol !== "file:") return void 0;
    path = decodeURIComponent(value.pathname);
  } else return void 0;
  if (path.startsWith("/")) return path;
  const base = cwd();
  if (base === void 0) return path;
  return base.endsWith("/") ? `${base}${path}` : `${base}/${path}`;
}
function basename(path) {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}
function opensForWriting(options) {
  if (typeof options !== "object" || options === null) return false;
  const o = options;
  return o.write === true || o.append === true || o.create === true || o.truncate === true || o.createNew === true;
}
function writePoint(path, patterns) {
  if (basename(path) === patterns.lockfile) return "lockfile.write";
  if (path.includes(patterns.extractDir)) return "fs.extract";
  return void 0;
}
function openPoint(path, options, patterns) {
  if (!opensForWriting(options)) return void 0;
  const createNew = options.createNew === true;
  if (createNew && basename(path) === patterns.lock) return "lock.acquire";
  return writePoint(path, patterns);
}
function renamePoint(to, patterns) {
  return basename(to) === patterns.lockfile ? "lockfile.write" : void 0;
}
function copyPoint(to, patterns) {
  return to.includes(patterns.extractDir) ? "fs.extract" : void 0;
}
function removePoint(path, patterns) {
  if (basename(path) === patterns.lock) return "lock.release";
  if (path.includes(patterns.extractDir)) return "fs.remove";
  return void 0;
}
var TRANSACTION_SQL = /^\s*(BEGIN|COMMIT|END|ROLLBACK)\b/i;
var SAVEPOINT_ROLLBACK = /^\s*ROLLBACK\s+(TRANSACTION\s+)?TO\b/i;
function sqlPoint(sql) {
  if (typeof sql !== "string") return void 0;
  const match = TRANSACTION_SQL.exec(sql);
  if (match === null) return void 0;
  switch (match[1].toUpperCase()) {
    case "BEGIN":
      return "catalog.begin";
    case "COMMIT":
    case "END":
      return "catalog.commit";
    default:
      return SAVEPOINT_ROLLBACK.test(sql) ? void 0 : "catalog.rollback";
  }
}
function urlOf(input) {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  if (input instanceof Request) return input.url;
  return void 0;
}
function isRegistryUrl(url, registryUrl) {
  if (registryUrl === void 0 || registryUrl === "") return false;
  if (url.startsWith(registryUrl)) return true;
  try {
    return new URL(url).origin === new URL(registryUrl).origin;
  } catch {
    return false;
  }
}

var ERRNO = {
  EIO: {
    text: "Input/output error",
    errno: 5
  },
  ENOSPC: {
    text: "No space left on device",
    errno: 28
  },
  EACCES: {
    text: "Permission denied",
    errno: 13,
    errorClass: "PermissionDenied"
  },
  EEXIST: {
    text: "File exists",
    errno: 17,
    errorClass: "AlreadyExists"
  }
};
function fsError(code, op, paths) {
  const shape = ERRNO[code];
  const where = paths.map((p) => `'${p}'`).join(" -> ");
  const message = `${shape.text} (os error ${shape.errno}): ${op} ${where}`;
  const error = shape.errorClass === void 0 ? new Error(message) : new Deno.errors[shape.errorClass](message);
  Object.defineProperty(error, "code", {
    value: code,
    writable: true,
    enumerable: true,
    configurable: true
  });
  return error;
}
var SQLITE = {
  SQLITE_BUSY: {
    errcode: 5,
    errstr: "database is locked"
  },
  EIO: {
    errcode: 10,
    errstr: "disk I/O error"
  }
};
function sqliteError(condition, via) {
  const { errcode, errstr } = SQLITE[condition];
  const error = new Error(errstr);
  const define = (key, value) => Object.defineProperty(error, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
  if (via === "statement") define("errcode", errcode);
  define("code", "ERR_SQLITE_ERROR");
  if (via === "statement") define("errstr", errstr);
  return error;
}
function connectionRefusedError(url) {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {
  }
  const cause = new Error(`error sending request for url (${href}): client error (Connect): tcp connect error: Connection refused (os error 111)`);
  return new TypeError("fetch failed", {
    cause
  });
}

async function discardBody(response) {
  if (!(response instanceof Response) || response.body === null) return;
  try {
    await response.body.cancel();
  } catch {
  }
}
function patchFetch(runtime, patterns) {
  const variable = patterns.registryUrlEnv;
  let readable;
  const registryUrl = () => {
    readable ??= Deno.permissions.querySync({
      name: "env",
      variable
    }).state === "granted";
    return readable ? Deno.env.get(variable) : void 0;
  };
  replaceMethod(globalThis, "fetch", (original) => function(...args) {
    const url = urlOf(args[0]);
    if (url === void 0 || !isRegistryUrl(url, registryUrl())) {
      return original.apply(this, args);
    }
    const errorFor = (code) => {
      if (code !== "ECONNREFUSED") {
        throw new Error(`Cannot raise "${code}" from fetch: not a network error`);
      }
      return connectionRefusedError(url);
    };
    const step = () => original.apply(this, args);
    return runtime.runAsync("registry.fetch", url, step, errorFor, discardBody);
  });
}

var FS_ERRNOS = [
  "EIO",
  "ENOSPC",
  "EACCES",
  "EEXIST"
];
function shownPath(value) {
  return value instanceof URL ? decodeURIComponent(value.pathname) : String(value);
}
function errorsFor(op, shown) {
  return (code) => {
    if (!FS_ERRNOS.includes(code)) {
      throw new Error(`Cannot raise "${code}" from a filesystem call: not a filesystem error`);
    }
    return fsError(code, op, shown);
  };
}
function patchFs(runtime, patterns) {
  const cwd = () => {
    try {
      return Deno.cwd();
    } catch {
      return void 0;
    }
  };
  const oneTarget = (op, match) => (args) => {
    const path = pathOf(args[0], cwd);
    if (path === void 0) return void 0;
    const point = match(path, args);
    if (point === void 0) return void 0;
    return {
      point,
      target: path,
      errorFor: errorsFor(op, [
        shownPath(args[0])
      ])
    };
  };
  const twoTargets = (op, match) => (args) => {
    const to = pathOf(args[1], cwd);
    if (to === void 0) return void 0;
    const point = match(to);
    if (point === void 0) return void 0;
    return {
      point,
      target: to,
      errorFor: errorsFor(op, [
        shownPath(args[0]),
        shownPath(args[1])
      ])
    };
  };
  const open = oneTarget("open", (path, args) => openPoint(path, args[1], patterns));
  const create = oneTarget("open", (path) => writePoint(path, patterns));
  const write = oneTarget("writefile", (path) => writePoint(path, patterns));
  const remove = oneTarget("remove", (path) => removePoint(path, patterns));
  const copy = twoTargets("copy", (to) => copyPoint(to, patterns));
  const rename = twoTargets("rename", (to) => renamePoint(to, patterns));
  const pairs = [
    [
      "open",
      "openSync",
      open
    ],
    [
      "create",
      "createSync",
      create
    ],
    [
      "writeFile",
      "writeFileSync",
      write
    ],
    [
      "writeTextFile",
      "writeTextFileSync",
      write
    ],
    [
      "copyFile",
      "copyFileSync",
      copy
    ],
    [
      "rename",
      "renameSync",
      rename
    ],
    [
      "remove",
      "removeSync",
      remove
    ]
  ];
  for (const [asyncKey, syncKey, classify] of pairs) {
    replaceMethod(Deno, asyncKey, (original) => function(...args) {
      const hit = classify(args);
      if (hit === void 0) return original.apply(this, args);
      const step = () => original.apply(this, args);
      return runtime.runAsync(hit.point, hit.target, step, hit.errorFor);
    });
    replaceMethod(Deno, syncKey, (original) => function(...args) {
      const hit = classify(args);
      if (hit === void 0) return original.apply(this, args);
      const step = () => original.apply(this, args);
      return runtime.runSync(hit.point, hit.target, step, hit.errorFor);
    });
  }
}

import { DatabaseSync } from "node:sqlite";
var STATEMENT_METHODS = [
  "run",
  "all",
  "get"
];
function errorsFor2(via) {
  return (code) => {
    if (code !== "SQLITE_BUSY" && code !== "EIO") {
      throw new Error(`Cannot raise "${code}" from a catalog statement: not a SQLite error`);
    }
    return sqliteError(code, via);
  };
}
function patchSqlite(runtime, patterns) {
  const proto = DatabaseSync.prototype;
  const location = Reflect.get(ownerOf(proto, "location"), "location");
  const catalogs = /* @__PURE__ */ new WeakMap();
  function catalogPath(db) {
    if (typeof db !== "object" || db === null) return void 0;
    const cached = catalogs.get(db);
    if (cached !== void 0) return cached ?? void 0;
    let path;
    try {
      path = location.call(db);
    } catch {
      return void 0;
    }
    const catalog = typeof path === "string" && basename(path) === patterns.catalog ? path : null;
    catalogs.set(db, catalog);
    return catalog ?? void 0;
  }
  const execErrors = errorsFor2("exec");
  replaceMethod(ownerOf(proto, "exec"), "exec", (original) => function(...args) {
    const point = sqlPoint(args[0]);
    const path = point === void 0 ? void 0 : catalogPath(this);
    if (point === void 0 || path === void 0) return original.apply(this, args);
    return runtime.runSync(point, path, () => original.apply(this, args), execErrors);
  });
  const statementErrors = errorsFor2("statement");
  replaceMethod(ownerOf(proto, "prepare"), "prepare", (original) => function(...args) {
    const statement = original.apply(this, args);
    const point = sqlPoint(args[0]);
    const path = point === void 0 ? void 0 : catalogPath(this);
    if (point === void 0 || path === void 0) return statement;
    if (typeof statement !== "object" || statement === null) return statement;
    for (const key of STATEMENT_METHODS) {
      shadowMethod(statement, key, (method) => function(...callArgs) {
        const step = () => method.apply(this, callArgs);
        return runtime.runSync(point, path, step, statementErrors);
      });
    }
    return statement;
  });
}

function hitUnit(seed, hit) {
  let z = (seed ^ Math.imul(hit, 2654435769)) >>> 0;
  z = Math.imul(z ^ z >>> 16, 569420461) >>> 0;
  z = Math.imul(z ^ z >>> 15, 1935289751) >>> 0;
  z = (z ^ z >>> 15) >>> 0;
  return z / 4294967296;
}
function hitFires(selector, hit, action) {
  if ("every" in selector) return true;
  if ("nth" in selector) {
    if (action.kind === "contend") {
      return hit >= selector.nth && hit < selector.nth + action.attempts;
    }
    return hit === selector.nth;
  }
  return hitUnit(selector.seed, hit) < selector.probability;
}
function delayFor(action, hit) {
  if ("delayMs" in action) return action.delayMs;
  const span = action.delayMsMax - action.delayMsMin + 1;
  return action.delayMsMin + Math.floor(hitUnit(action.seed, hit) * span);
}

var PAUSE_POLL_MS = 10;
var ShimRuntime = class {
  #config;
  #io;
  #rules = /* @__PURE__ */ new Map();
  #hits = /* @__PURE__ */ new Map();
  #publish;
  #seq = 0;
  #capped = false;
  constructor(config, io) {
    this.#config = config;
    this.#io = io;
    for (const rule of config.rules) {
      const key = `${rule.at} ${rule.when}`;
      const list = this.#rules.get(key) ?? [];
      list.push(rule);
      this.#rules.set(key, list);
    }
    this.#publish = new Set((config.publish ?? []).map((e) => `${e.point} ${e.phase} ${e.hit}`));
  }
  /** Announces reaching a point and phase when another process's pause waits for it. */
  #announce(point, phase, hit) {
    if (this.#publish.size === 0 || !this.#publish.has(`${point} ${phase} ${hit}`)) return;
    this.#io.touch(eventMarkerPath(this.#config.controlDir, this.#config.process, {
      point,
      phase,
      hit
    }));
  }
  /** The next hit number of `point` in this process, from 1. */
  nextHit(point) {
    const hit = (this.#hits.get(point) ?? 0) + 1;
    this.#hits.set(point, hit);
    return hit;
  }
  /** The first rule (in config order) that fires at this point, phase and hit, as a decision. */
  decide(point, phase, hit) {
    for (const rule of this.#rules.get(`${point} ${phase}`) ?? []) {
      if (!hitFires(rule.hit, hit, rule.action)) continue;
      const action = rule.action;
      switch (action.kind) {
        case "delay":
          return {
            kind: "delay",
            rule: rule.id,
            delayMs: delayFor(action, hit)
          };
        case "crash":
          return {
            kind: "crash",
            rule: rule.id
          };
        case "error":
          return {
            kind: "error",
            rule: rule.id,
            error: action.error
          };
        case "contend":
          return {
            kind: "error",
            rule: rule.id,
            error: "EEXIST"
          };
        case "pause":
          return {
            kind: "pause",
            rule: rule.id,
            timeoutMs: action.timeoutMs,
            untilExitOf: action.untilExitOf,
            untilEvents: action.untilEvents ?? []
          };
      }
    }
    return {
      kind: "none"
    };
  }
  /**
   * Runs a synchronous step as one hit of `point`: evaluates `before`, runs
   * the step unless an action stops it, evaluates `after`, and returns or
   * throws exactly what the step did unless an action says otherwise.
   */
  runSync(point, target, step, errorFor) {
    const hit = this.nextHit(point);
    this.#applySync(this.decide(point, "before", hit), point, "before", hit, target, errorFor);
    let result;
    let failure;
    let threw = false;
    try {
      result = step();
    } catch (error) {
      threw = true;
      failure = error;
    }
    const after = this.decide(point, "after", hit);
    this.#applySync(after, point, "after", hit, target, errorFor, threw);
    if (threw) throw failure;
    return result;
  }
  /**
   * {@link runSync} for a step that returns a promise. Unless a `before`
   * delay or pause holds it, the step starts synchronously within this call,
   * as the unpatched call would (and a step that throws synchronously still
   * does); delays and pauses yield to the event loop.
   */
  runAsync(point, target, step, errorFor, discard) {
    const hit = this.nextHit(point);
    const before = this.decide(point, "before", hit);
    if (before.kind === "delay" || before.kind === "pause") {
      const held = async () => {
        await this.#applyAsync(before, point, "before", hit, target, errorFor);
        let pending2;
        try {
          pending2 = step();
        } catch (error) {
          pending2 = Promise.reject(error);
        }
        return await this.#settle(point, hit, target, pending2, errorFor, discard);
      };
      return held();
    }
    try {
      this.#applySync(before, point, "before", hit, target, errorFor);
    } catch (error) {
      return Promise.reject(error);
    }
    let pending;
    try {
      pending = step();
    } catch (error) {
      this.#applySync(this.decide(point, "after", hit), point, "after", hit, target, errorFor, true);
      throw error;
    }
    return this.#settle(point, hit, target, pending, errorFor, discard);
  }
  /** Waits for a started async step, then evaluates its `after` phase. */
  async #settle(point, hit, target, pending, errorFor, discard) {
    let result;
    let failure;
    let threw = false;
    try {
      result = await pending;
    } catch (error) {
      threw = true;
      failure = error;
    }
    const after = this.decide(point, "after", hit);
    if (after.kind === "error" && !threw && discard !== void 0) await discard(result);
    await this.#applyAsync(after, point, "after", hit, target, errorFor, threw);
    if (threw) throw failure;
    return result;
  }
  /** A process point (`process.start`, `process.exit`): its one `before` phase, blocking. */
  processPointSync(point) {
    const hit = this.nextHit(point);
    this.#applySync(this.decide(point, "before", hit), point, "before", hit, void 0, noError);
  }
  #applySync(decision, point, phase, hit, target, errorFor, threw) {
    const fields = this.#fields(decision, point, phase, hit, target, threw);
    this.#announce(point, phase, hit);
    if (decision.kind === "delay") {
      this.#log(fields);
      this.#io.sleepSync(decision.delayMs);
      return;
    }
    if (decision.kind === "pause") {
      const startMs = this.#io.nowMs();
      let released = this.#released(decision);
      while (!released && this.#io.nowMs() - startMs < decision.timeoutMs) {
        this.#io.sleepSync(PAUSE_POLL_MS);
        released = this.#released(decision);
      }
      this.#logPause(fields, startMs, released);
      return;
    }
    this.#finish(decision, fields, errorFor);
  }
  async #applyAsync(decision, point, phase, hit, target, errorFor, threw) {
    const fields = this.#fields(decision, point, phase, hit, target, threw);
    this.#announce(point, phase, hit);
    if (decision.kind === "delay") {
      this.#log(fields);
      await this.#io.sleep(decision.delayMs);
      return;
    }
    if (decision.kind === "pause") {
      const startMs = this.#io.nowMs();
      let released = this.#released(decision);
      while (!released && this.#io.nowMs() - startMs < decision.timeoutMs) {
        await this.#io.sleep(PAUSE_POLL_MS);
        released = this.#released(decision);
      }
      this.#logPause(fields, startMs, released);
      return;
    }
    this.#finish(decision, fields, errorFor);
  }
  /** Logs, then takes a decision that does not wait: none, crash or error. */
  #finish(decision, fields, errorFor) {
    this.#log(fields);
    if (decision.kind === "crash") this.#io.kill();
    if (decision.kind === "error") throw errorFor(decision.error);
  }
  #fields(decision, point, phase, hit, target, threw) {
    const fields = {
      point,
      phase,
      hit,
      action: decision.kind === "error" && decision.error === "EEXIST" ? "contend" : decision.kind,
      atMs: this.#io.nowMs()
    };
    if (decision.kind !== "none") fields.rule = decision.rule;
    if (decision.kind === "delay") fields.delayMs = decision.delayMs;
    if (decision.kind === "error") fields.error = decision.error;
    if (target !== void 0) fields.target = target;
    if (threw !== void 0) fields.threw = threw;
    return fields;
  }
  #released(pause) {
    const dir = this.#config.controlDir;
    return pause.untilExitOf.every((p) => this.#io.exists(`${dir}/exited-${p}`)) && pause.untilEvents.every((e) => this.#io.exists(eventMarkerPath(dir, e.process, e)));
  }
  #logPause(fields, startMs, released) {
    fields.atMs = startMs;
    fields.released = released;
    fields.pausedMs = Math.round((this.#io.nowMs() - startMs) * 1e3) / 1e3;
    this.#log(fields);
  }
  #log(fields) {
    if (this.#capped) return;
    const seq = ++this.#seq;
    const head = {
      seq,
      process: this.#config.process,
      pid: this.#io.pid
    };
    if (seq > LIMITS.eventsPerProcessMax) {
      this.#capped = true;
      const cap = {
        capped: true,
        ...head,
        limit: LIMITS.eventsPerProcessMax,
        atMs: fields.atMs
      };
      this.#io.appendLine(`${JSON.stringify(cap)}
`);
      return;
    }
    this.#io.appendLine(`${JSON.stringify({
      ...head,
      ...fields
    })}
`);
  }
};
function noError(code) {
  throw new Error(`Cannot raise "${code}" at a process point: rejected by the config check`);
}

var KILL_WAIT_MS = 1e4;
var ConfigProblem = class extends Error {
};
function loadConfig(configPath2) {
  let text;
  try {
    text = Deno.readTextFileSync(configPath2);
  } catch (error) {
    throw new ConfigProblem(`$: cannot read the config: ${error.message}`);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigProblem(`$: not valid JSON: ${error.message}`);
  }
  return parseShimConfig(value);
}
function makeIo(eventsPath) {
  let file;
  try {
    file = Deno.openSync(eventsPath, {
      append: true,
      create: true
    });
  } catch (error) {
    throw new ConfigProblem(`$.eventsPath: cannot open "${eventsPath}": ${error.message}`);
  }
  const encoder = new TextEncoder();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const { statSync, writeFileSync, pid } = Deno;
  const sleepSync = (ms) => {
    Atomics.wait(cell, 0, 0, ms);
  };
  return {
    appendLine(line) {
      const bytes = encoder.encode(line);
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
    },
    nowMs: () => performance.timeOrigin + performance.now(),
    pid,
    kill() {
      Deno.kill(pid, "SIGKILL");
      sleepSync(KILL_WAIT_MS);
      throw new Error(`Cannot crash process ${pid}: SIGKILL did not end it`);
    },
    sleepSync,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    exists(path) {
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    touch(path) {
      writeFileSync(path, new Uint8Array());
    }
  };
}
function installShim(configPath2) {
  let config;
  let io;
  try {
    config = loadConfig(configPath2);
    io = makeIo(config.eventsPath);
  } catch (error) {
    if (!(error instanceof RuleError) && !(error instanceof ConfigProblem)) throw error;
    console.error(`swamp-sim shim: ${configPath2}: ${error.message}`);
    Deno.exit(SHIM_CONFIG_EXIT_CODE);
  }
  const runtime = new ShimRuntime(config, io);
  patchFs(runtime, config.patterns);
  patchSqlite(runtime, config.patterns);
  patchFetch(runtime, config.patterns);
  patchExit(runtime);
  runtime.processPointSync("process.start");
}

function configPathFromEnv() {
  const env = Deno.permissions.querySync({
    name: "env",
    variable: SHIM_CONFIG_ENV
  });
  if (env.state !== "granted") return void 0;
  const path = Deno.env.get(SHIM_CONFIG_ENV);
  return path === void 0 || path === "" ? void 0 : path;
}
var configPath = configPathFromEnv();
if (configPath !== void 0) installShim(configPath);
