// Reads a Parquet file with hyparquet, a reader written independently of DuckDB, and prints its rows as
// JSON so the C# tests can compare them with what DuckDB reads. Usage: node read-parquet.mjs <hyparquet dir> <file>
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const [hyparquetDir, file] = process.argv.slice(2)
const { parquetReadObjects, parquetSchema, parquetMetadata } = await import(pathToFileURL(path.join(hyparquetDir, 'src', 'index.js')).href)

const bytes = readFileSync(file)
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
// Timestamps stay exact integers (microseconds since the epoch) instead of millisecond Date objects.
const parsers = {
  timestampFromMicroseconds: v => 'us:' + BigInt(v).toString(),
  timestampFromMilliseconds: v => 'us:' + (BigInt(v) * 1000n).toString(),
  timestampFromNanoseconds: v => 'us:' + (BigInt(v) / 1000n).toString(),
}
const columns = parquetSchema(parquetMetadata(buffer)).children.map(c => c.element.name)
const rows = await parquetReadObjects({ file: buffer, parsers })
const encode = (key, v) =>
  typeof v === 'bigint' ? 'int:' + v.toString()
  : typeof v === 'number' && !Number.isFinite(v) ? 'num:' + String(v)
  : v
process.stdout.write(JSON.stringify({ columns, rows: rows.map(r => columns.map(c => r[c] ?? null)) }, encode))
