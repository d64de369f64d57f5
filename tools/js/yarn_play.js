// Usage: node yarn_play.js FILE.yarn START [MAX_PATHS] [VARS_JSON] -> parses every node with bondage.js (a Yarn
// Spinner 2 parser and runner), then plays every path of available options from START to an end (bounded), with
// the variables in VARS_JSON set first, as a game would. Prints JSON {errors, paths, stuck, commands,
// untagged, visited, lines: {"line:id": text shown}}; exit 1 on any error or stuck path.
const fs = require("fs");
const bondage = require("@mnbroatch/bondage");
const src = fs.readFileSync(process.argv[2], "utf8");
const start = process.argv[3];
const maxPaths = parseInt(process.argv[4] || "500", 10);
const vars = JSON.parse(process.argv[5] || "{}");
const result = { errors: [], paths: 0, stuck: [], commands: [], untagged: [], visited: [], lines: {} };
const visited = new Set();

function load() {
  const runner = new bondage.Runner();
  runner.load(src);
  for (const [name, value] of Object.entries(vars)) runner.variables.set(name, value);
  return runner;
}

function record(text, hashtags, node) {
  const id = (hashtags || []).find((t) => t.startsWith("line:"));
  if (id === undefined) result.untagged.push(`${node}: ${text}`);
  else result.lines[id] = text.trim();
}

try {
  const runner = load();
  for (const title of Object.keys(runner.yarnNodes)) {
    try {
      runner.getParserNodes(title);
    } catch (e) {
      result.errors.push(`node ${title}: ${e.message || e}`);
    }
  }
} catch (e) {
  result.errors.push(String(e.message || e));
}

// Depth-first over the indices of available options; each path replays from the start on a fresh runner.
const stack = [[]];
while (!result.errors.length && stack.length && result.paths < maxPaths) {
  const path = stack.pop();
  try {
    const run = load().run(start);
    for (let depth = 0, step = run.next(); ; step = run.next()) {
      const value = step.value;
      if (value !== undefined) visited.add(value.metadata.title);
      if (value instanceof bondage.TextResult) record(value.text, value.hashtags, value.metadata.title);
      else if (value instanceof bondage.CommandResult) result.commands.push(value.command);
      else if (value instanceof bondage.OptionsResult) {
        value.options.forEach((o) => record(o.text, o.hashtags, value.metadata.title));
        const open = value.options.flatMap((o, i) => (o.isAvailable ? [i] : []));
        if (step.done || !open.length || depth >= 200) {
          result.stuck.push(path.join(",") || "(start)");
          break;
        }
        if (depth === path.length) {
          for (let i = open.length - 1; i > 0; i--) stack.push(path.concat([open[i]]));
          path.push(open[0]);
        }
        value.select(path[depth++]);
      }
      if (step.done) {
        result.paths++;
        break;
      }
    }
  } catch (e) {
    result.errors.push(`path ${path.join(",") || "(start)"}: ${e.message || e}`);
  }
}
result.visited = [...visited].sort();
console.log(JSON.stringify(result));
process.exit(result.errors.length || result.stuck.length ? 1 : 0);
