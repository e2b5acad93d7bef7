"use strict";
/**
 * Text a provider may send where a number belongs that JavaScript coerces into a number (" " and ""
 * into 0, "0x10" into 16, " 5" into 5, "Infinity") or that only looks like one ("NaN", "1_000"): none
 * is a plain decimal, so no parser may read a number from it. Used by the value tests and the
 * parser fuzz (whose seeded picks depend on this order).
 */
const NUMBER_LOOKALIKES = Object.freeze(["Infinity", "-Infinity", "NaN", " ", "", "0x10", "0b11", "0o7", " 5", "5 ", "1_000"]);

module.exports = { NUMBER_LOOKALIKES };
