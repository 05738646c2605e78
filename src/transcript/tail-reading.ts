import { backgroundWork, type BackgroundWork } from './detect-state.js';
import { extractPreview, pendingToolName } from './preview.js';
import type { TranscriptTail } from './tail-read.js';

/** What a tail shows, whatever the time: its preview, the tool it waits on, what runs in the background. */
export interface TailReading {
  readonly preview: string;
  readonly pendingTool: string | undefined;
  readonly background: BackgroundWork;
}

/**
 * Worked out once per tail: a daemon keeps a tail while its file is unchanged, and a command
 * scanning by itself keeps the readings with the tails it saves (SavedTails), so that cleaning a
 * preview is done once per change of a transcript, not once per listing.
 */
const readings = new WeakMap<TranscriptTail, TailReading>();

export function readingOf(tail: TranscriptTail): TailReading {
  let reading = readings.get(tail);
  if (reading === undefined) {
    reading = { preview: extractPreview(tail), pendingTool: pendingToolName(tail), background: backgroundWork(tail.entries) };
    readings.set(tail, reading);
  }
  return reading;
}

/** The reading of a tail, when it was worked out already (to be saved with it). */
export function knownReadingOf(tail: TranscriptTail): TailReading | undefined {
  return readings.get(tail);
}

/** A reading saved with its tail, taken as the tail's own. */
export function rememberReading(tail: TranscriptTail, reading: TailReading): void {
  readings.set(tail, reading);
}
