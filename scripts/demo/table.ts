// Plain aligned console tables: the demo prints to a terminal, and a dependency for this would
// be more code to trust than the twenty lines it saves.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number;
  /** Numbers are right-aligned unless told otherwise, text left-aligned. */
  align?: "left" | "right";
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string[] {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => String(row[index]).length)),
  );
  const line = (values: readonly (string | number)[], header: boolean) =>
    values
      .map((value, index) => {
        const rightAligned = !header && (columns[index].align ?? (typeof value === "number" ? "right" : "left")) === "right";
        return rightAligned ? String(value).padStart(widths[index]) : String(value).padEnd(widths[index]);
      })
      .join("  ")
      .trimEnd();
  return [
    line(
      columns.map((column) => column.header),
      true,
    ),
    widths.map((width) => "─".repeat(width)).join("  "),
    ...cells.map((row) => line(row, false)),
  ];
}

export function printTable<Row>(title: string, columns: readonly Column<Row>[], rows: readonly Row[]): void {
  console.log(`\n${title}`);
  for (const line of formatTable(columns, rows)) console.log(`  ${line}`);
  if (rows.length === 0) console.log("  (none)");
}

/** ✓ or ✗: what every check in the demo prints. */
export function mark(ok: boolean): string {
  return ok ? "✓" : "✗";
}
