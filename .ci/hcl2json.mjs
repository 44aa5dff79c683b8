#!/usr/bin/env node
// Prints the Terraform configuration in a directory (its *.tf files, not subdirectories) as one JSON document,
// using @cdktf/hcl2json from .ci/node_modules. The infra consistency tests (src/test/java/dev/aksrouteguard/infra/)
// run it; Terraform itself is not needed.
//
//   node .ci/hcl2json.mjs infra/terraform
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error(`usage: node .ci/hcl2json.mjs <terraform directory> (got ${dir ?? 'nothing'})`);
  process.exit(2);
}

let hcl2json;
try {
  hcl2json = createRequire(join(here, 'package.json'))('@cdktf/hcl2json');
} catch (e) {
  console.error('@cdktf/hcl2json is not installed: run `npm install --prefix .ci` (' + e.message + ')');
  process.exit(3);
}

try {
  const json = await hcl2json.convertFiles(resolve(dir));
  process.stdout.write(JSON.stringify(json));
} catch (e) {
  console.error(`cannot parse the Terraform in ${dir}: ${e.message ?? e}`);
  process.exit(1);
}
