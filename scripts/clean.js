"use strict";
// Removes the previous build so that a deleted source file never survives in dist/.
const fs = require("fs");
const path = require("path");
fs.rmSync(path.join(__dirname, "..", "dist"), { recursive: true, force: true });
