// Usage: node ink_play.js FILE.ink -> compiles with inkle's compiler (inkjs full build), then plays every
// choice path to an end (bounded). Prints JSON {errors, warnings, paths, endings, stuck, untagged,
// lines: {"line:id": text shown}}; exit 1 on any error.
const fs = require("fs");
const { Compiler } = require("inkjs/full");
const src = fs.readFileSync(process.argv[2], "utf8");
const maxPaths = parseInt(process.argv[3] || "500", 10);
const errors = [];
const warnings = [];
let story;
try {
  const compiler = new Compiler(src, { errorHandler: (msg, type) => (type === 2 ? errors : warnings).push(msg) });
  story = compiler.Compile();
  errors.push(...(compiler.errors || []));
  warnings.push(...(compiler.warnings || []));
} catch (e) {
  errors.push(String(e));
}
const result = { errors, warnings, paths: 0, endings: 0, stuck: [], untagged: [], lines: {} };
function record(text, tags) {
  const id = (tags || []).find((t) => t.startsWith("line:"));
  if (id === undefined) result.untagged.push(text.trim());
  else result.lines[id] = text.trim();
}
if (!errors.length && story) {
  const json = story.ToJson();
  const { Story } = require("inkjs/full");
  // Depth-first over choice indices; each path replays from the start.
  const stack = [[]];
  while (stack.length && result.paths < maxPaths) {
    const path = stack.pop();
    const s = new Story(json);
    let ok = true;
    for (let depth = 0; ; depth++) {
      while (s.canContinue) record(s.Continue(), s.currentTags);
      s.currentChoices.forEach((c) => record(c.text, c.tags));
      if (s.currentChoices.length === 0) { result.endings++; break; }
      if (depth < path.length) { s.ChooseChoiceIndex(path[depth]); continue; }
      for (let i = s.currentChoices.length - 1; i > 0; i--) stack.push(path.concat([i]));
      path.push(0);
      s.ChooseChoiceIndex(0);
      if (path.length > 200) { result.stuck.push(path.join(",")); ok = false; break; }
    }
    if (ok) result.paths++;
    if (s.currentErrors && s.currentErrors.length) errors.push(...s.currentErrors);
  }
}
console.log(JSON.stringify(result));
process.exit(errors.length || result.stuck.length ? 1 : 0);
