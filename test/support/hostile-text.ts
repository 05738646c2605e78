/*
 * Test support: text an attacker controls (a folder name, a branch, a label) that would drive a
 * terminal if vmux printed it raw, and the check that nothing of it got through.
 */

/**
 * A title change (OSC 0), a colour (CSI), the 8-bit CSI and OSC forms (U+009B, U+009D … U+009C),
 * a right-to-left override and a bidi mark. No `/` or newline: it is also a folder name.
 */
export const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[31mred\u009b2J\u009d0;t\u009c\u202eend\u200e';

/** What HOSTILE reads as once cleaned. */
export const HOSTILE_CLEANED = 'xredend';

/** Any character a terminal acts on or reorders: C0 (newline aside), DEL, C1, bidirectional controls. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
