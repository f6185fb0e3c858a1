// Compares a migrated database with prisma/schema.prisma (through Prisma's own DMMF, which works
// offline) and lists every difference a Prisma client or a raw-SQL caller would trip over.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getDMMF } from '@prisma/get-dmmf';
import type pg from 'pg';
import { MIGRATIONS_TABLE } from '../src/migrate.ts';

export const schemaPath = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));

/** Objects the migrations create on purpose that schema.prisma cannot express. */
export const SQL_ONLY_INDEXES = new Set(['GradingRun_namespace_labId_active_key']);

type Datamodel = Exclude<ReturnType<typeof getDMMF>, { type: string }>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

/** The data model of prisma/schema.prisma. */
export function loadDatamodel(path = schemaPath): Datamodel {
  const doc = getDMMF({ datamodel: readFileSync(path, 'utf8') });
  if ('type' in doc) throw new Error(`${path} does not parse: ${doc.reason}`, { cause: doc.error });
  return doc.datamodel;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
  Decimal: 'numeric(65,30)',
};

function nativeTypeSql(name: string, args: readonly string[]): string {
  const a = args.join(',');
  switch (name) {
    case 'Timestamptz':
      return `timestamp(${a || '6'}) with time zone`;
    case 'Timestamp':
      return `timestamp(${a || '6'}) without time zone`;
    case 'Uuid':
      return 'uuid';
    case 'Text':
      return 'text';
    case 'VarChar':
      return a ? `character varying(${a})` : 'character varying';
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    case 'BigInt':
      return 'bigint';
    case 'DoublePrecision':
      return 'double precision';
    case 'JsonB':
      return 'jsonb';
    case 'Json':
      return 'json';
    case 'Date':
      return 'date';
    default:
      throw new Error(`drift-check does not know native type @db.${name} yet; add it to nativeTypeSql`);
  }
}

/** What format_type() should print for a field's column. */
export function expectedColumnType(field: Field): string {
  let base: string;
  if (field.kind === 'enum') base = /^[a-z_][a-z0-9_]*$/.test(field.type) ? field.type : `"${field.type}"`;
  else if (field.nativeType) base = nativeTypeSql(field.nativeType[0], field.nativeType[1]);
  else {
    const t = SCALAR_TYPES[field.type];
    if (!t) throw new Error(`drift-check does not know scalar type ${field.type} yet`);
    base = t;
  }
  return field.isList ? `${base}[]` : base;
}

/** Whether Prisma expects the database (not the client) to fill this column in when omitted. */
function hasDatabaseDefault(field: Field): boolean {
  if (!field.hasDefaultValue) return false;
  const d = field.default;
  if (d && typeof d === 'object' && !Array.isArray(d) && 'name' in d) {
    return ['now', 'dbgenerated', 'autoincrement', 'sequence'].includes(String(d.name));
  }
  return true; // a literal default (true, 0, 'QUEUED', [])
}

/** Prisma's default constraint/index name: <table>_<columns>_<suffix>, cut to PostgreSQL's 63 bytes. */
function defaultName(table: string, columns: string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}`;
  const max = 63 - suffix.length - 1;
  return `${name.slice(0, max)}_${suffix}`;
}

interface DbIndex {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  partial: boolean;
  columns: string[];
  desc: boolean[];
}

/** Every difference between the database `client` is connected to and schema.prisma; empty when none. */
export async function findDrift(
  client: pg.ClientBase,
  datamodel: Datamodel = loadDatamodel(),
): Promise<string[]> {
  const problems: string[] = [];

  const enumRows = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  const dbEnums = new Map(enumRows.rows.map((r) => [r.name, r.labels]));
  for (const e of datamodel.enums) {
    const name = e.dbName ?? e.name;
    const want = e.values.map((v) => v.dbName ?? v.name);
    const got = dbEnums.get(name);
    if (!got) problems.push(`enum ${name} is missing`);
    else if (got.join(',') !== want.join(','))
      problems.push(`enum ${name} has (${got}) but schema.prisma says (${want})`);
  }

  const colRows = await client.query<{
    table: string;
    column: string;
    type: string;
    notnull: boolean;
    hasdefault: boolean;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, a.atthasdef AS hasdefault
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const dbTables = new Map<string, Map<string, (typeof colRows.rows)[number]>>();
  for (const r of colRows.rows) {
    if (!dbTables.has(r.table)) dbTables.set(r.table, new Map());
    dbTables.get(r.table)!.set(r.column, r);
  }

  const idxRows = await client.query<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    partial: boolean;
    columns: string[];
    options: number[];
  }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
            x.indpred IS NOT NULL AS partial,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            x.indoption::int2[]::int[] AS options
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`,
  );
  const dbIndexes = new Map<string, DbIndex>(
    idxRows.rows.map((r) => [
      r.name,
      { ...r, desc: r.columns.map((_, i) => ((r.options[i] ?? 0) & 1) === 1) },
    ]),
  );
  const expectedIndexNames = new Set<string>();

  const fkRows = await client.query<{
    name: string;
    table: string;
    columns: string[];
    ref: string;
    refcolumns: string[];
    ondelete: string;
    onupdate: string;
  }>(
    `SELECT c.conname AS name, t.relname AS table, r.relname AS ref,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS refcolumns,
            c.confdeltype AS ondelete, c.confupdtype AS onupdate
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const dbFks = new Map(fkRows.rows.map((r) => [r.name, r]));

  const modelsByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (m: Model) => m.dbName ?? m.name;
  const columnOf = (m: Model, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    return f?.dbName ?? fieldName;
  };

  for (const model of datamodel.models) {
    const table = tableOf(model);
    const cols = dbTables.get(table);
    if (!cols) {
      problems.push(`table ${table} (model ${model.name}) is missing`);
      continue;
    }
    const expectedCols = new Set<string>();
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const col = field.dbName ?? field.name;
      expectedCols.add(col);
      const got = cols.get(col);
      if (!got) {
        problems.push(`column ${table}.${col} (${model.name}.${field.name}) is missing`);
        continue;
      }
      const want = expectedColumnType(field);
      if (got.type !== want)
        problems.push(`column ${table}.${col} is ${got.type}, schema.prisma says ${want}`);
      // Lists are required in Prisma's model and kept NOT NULL here so raw SQL cannot store NULL.
      if (got.notnull !== field.isRequired) {
        problems.push(
          `column ${table}.${col} is ${got.notnull ? 'NOT NULL' : 'nullable'}, schema.prisma says ${field.isRequired ? 'required' : 'optional'}`,
        );
      }
      if (hasDatabaseDefault(field) && !got.hasdefault)
        problems.push(`column ${table}.${col} has no DEFAULT but schema.prisma declares one`);
    }
    for (const col of cols.keys()) {
      if (!expectedCols.has(col))
        problems.push(`column ${table}.${col} exists in the database but not in schema.prisma`);
    }

    const expectIndex = (
      kind: 'primary' | 'unique' | 'normal',
      fields: readonly { name: string; sortOrder?: string }[],
      dbName?: string | null,
    ) => {
      const columns = fields.map((f) => columnOf(model, f.name));
      const name =
        kind === 'primary'
          ? (dbName ?? `${table}_pkey`)
          : (dbName ?? defaultName(table, columns, kind === 'unique' ? 'key' : 'idx'));
      expectedIndexNames.add(name);
      const idx = dbIndexes.get(name);
      const what = `${kind === 'normal' ? 'index' : kind === 'unique' ? 'unique index' : 'primary key'} ${name} on ${table}(${columns.join(', ')})`;
      if (!idx || idx.table !== table) return problems.push(`${what} is missing`);
      if (idx.columns.join(',') !== columns.join(','))
        problems.push(`${what} covers (${idx.columns.join(', ')}) instead`);
      if (kind === 'primary' && !idx.primary) problems.push(`${what} is not the primary key`);
      if (kind === 'unique' && !idx.unique) problems.push(`${what} is not unique`);
      if (idx.partial) problems.push(`${what} is partial (has a WHERE clause)`);
      const wantDesc = fields.map((f) => f.sortOrder === 'desc');
      if (wantDesc.join(',') !== idx.desc.join(',')) problems.push(`${what} has the wrong sort order`);
    };

    const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
    expectIndex(
      'primary',
      idFields.map((name) => ({ name })),
      model.primaryKey?.name ?? null,
    );
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      if (index.type === 'id') continue;
      if (index.type === 'fulltext') {
        problems.push(`fulltext index on ${model.name} is not checked by drift-check`);
        continue;
      }
      expectIndex(index.type === 'unique' ? 'unique' : 'normal', index.fields, index.dbName);
    }

    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
      const columns = field.relationFromFields.map((f) => columnOf(model, f));
      const target = modelsByName.get(field.type)!;
      const refColumns = (field.relationToFields ?? []).map((f) => columnOf(target, f));
      const name = defaultName(table, columns, 'fkey');
      const fk = dbFks.get(name);
      if (!fk) {
        problems.push(`foreign key ${name} (${model.name}.${field.name} -> ${target.name}) is missing`);
        continue;
      }
      if (
        fk.ref !== tableOf(target) ||
        fk.refcolumns.join(',') !== refColumns.join(',') ||
        fk.columns.join(',') !== columns.join(',')
      ) {
        problems.push(
          `foreign key ${name} references ${fk.ref}(${fk.refcolumns}) from (${fk.columns}) instead of ${tableOf(target)}(${refColumns}) from (${columns})`,
        );
      }
      const required = field.relationFromFields.every(
        (f) => model.fields.find((x) => x.name === f)?.isRequired,
      );
      const onDelete = field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull');
      const code: Record<string, string> = {
        Cascade: 'c',
        Restrict: 'r',
        NoAction: 'a',
        SetNull: 'n',
        SetDefault: 'd',
      };
      if (fk.ondelete !== code[onDelete])
        problems.push(
          `foreign key ${name} has ON DELETE '${fk.ondelete}' but schema.prisma says ${onDelete}`,
        );
      if (fk.onupdate !== 'c')
        problems.push(`foreign key ${name} should be ON UPDATE CASCADE as Prisma creates it`);
    }
  }

  const modelTables = new Set(datamodel.models.map(tableOf));
  for (const table of dbTables.keys()) {
    if (table !== MIGRATIONS_TABLE && !modelTables.has(table))
      problems.push(`table ${table} exists in the database but has no model in schema.prisma`);
  }
  for (const [name, idx] of dbIndexes) {
    if (!modelTables.has(idx.table) || expectedIndexNames.has(name) || SQL_ONLY_INDEXES.has(name)) continue;
    problems.push(
      `index ${name} on ${idx.table} exists in the database but not in schema.prisma (declare it, or list it in SQL_ONLY_INDEXES with a comment in schema.prisma)`,
    );
  }
  return problems;
}
