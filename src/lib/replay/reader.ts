/**
 * Reads the lines of one replay file into records: the first non-empty line tells the format
 * (JSON lines, or a CSV header giving the layout), then each line is parsed by it.
 */
import { basename } from "path";
import { csvLayout, type CsvLayout, type LineResult, parseCsvLine, parseJsonLine, symbolFromFileName } from "./records";

export class RecordReader {
  private format: "json" | "csv" | null = null;
  private layout: CsvLayout | null = null;

  constructor(private readonly file: string) {}

  /**
   * The records of a line (`undefined`: an over-long line), a malformed reason, or null for a
   * line without records (blank, the CSV header). Throws when the file is neither format.
   */
  read(line: string | undefined): LineResult | null {
    if (line === undefined) return "line too long";
    if (this.format === null) {
      const head = line.trim();
      if (head === "") return null;
      if (head[0] === "{" || head[0] === "[") this.format = "json";
      else {
        const l = csvLayout(head, symbolFromFileName(basename(this.file)));
        if (typeof l === "string") throw new Error(`${basename(this.file)}: not JSON lines, and ${l}.`);
        this.layout = l;
        this.format = "csv";
        return null;
      }
    }
    if (line.trim() === "") return null;
    return this.format === "json" ? parseJsonLine(line) : parseCsvLine(line, this.layout as CsvLayout);
  }
}
