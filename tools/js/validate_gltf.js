// Usage: node validate_gltf.js FILE.glb  -> prints the validator's JSON report; exit 1 if it has errors.
const fs = require("fs");
const validator = require("gltf-validator");
const data = new Uint8Array(fs.readFileSync(process.argv[2]));
validator.validateBytes(data, { maxIssues: 50 }).then((report) => {
  console.log(JSON.stringify(report.issues));
  process.exit(report.issues.numErrors > 0 ? 1 : 0);
}).catch((err) => { console.error(String(err)); process.exit(2); });
