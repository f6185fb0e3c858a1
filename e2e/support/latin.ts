// The test of "no English sentence in a Chinese text": a run of three or more Latin words that
// holds an English function word. Object names (pvc-shiqi-redis), commands (kubectl describe pvc),
// field paths and `code` spans hold none, so they pass; "is Bound to" does not.
// The same rule as packages/grader/test/latin.ts (the grader tests its catalog with it).

const FUNCTION_WORDS = new Set(
  'a an the is are was were be been not no of to and or but with without for in on at by from as so that this it its has have had does did do cannot could can will would should than then only yet which who when while after before into'.split(
    ' ',
  ),
);

/** The English sentences (runs of 3+ Latin words with a function word) in `text`, outside `code`. */
export function latinSentences(text: string): string[] {
  const stripped = text.replace(/`[^`]*`/g, ' ');
  const runs = stripped.match(/[A-Za-z][\w'./:-]*(?:[ ,;]+[A-Za-z][\w'./:-]*){2,}/g) ?? [];
  return runs.filter((r) => r.split(/[ ,;]+/).some((w) => FUNCTION_WORDS.has(w.toLowerCase())));
}
