#!/usr/bin/env node
// The `perceo` command: the Rust CLI, run in this process through the native addon, so
// `npx @perceo/perceo …` and `pnpm dlx @perceo/perceo …` need no install script.
'use strict'
const { runCli } = require('../index.js')
process.exitCode = runCli(process.argv.slice(2))
