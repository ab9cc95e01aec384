#include "wasm/decoder.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "base/utf8.h"
#include "wasm/binary_reader.h"
#include "wasm/function_validator.h"

namespace wasmdapr::wasm {

bool BinaryReader::name(std::string& out) {
  uint32_t len = 0;
  if (!u32(len)) return false;
  if (len > remaining()) return fail("unexpected end");
  out.assign(reinterpret_cast<const char*>(p_), len);
  p_ += len;
  if (!base::is_valid_utf8(out)) return fail("malformed UTF-8 encoding");
  return true;
}

std::string CompileError::to_string() const {
  char offset_text[32];
  std::snprintf(offset_text, sizeof offset_text, "0x%zx", offset);
  return std::string(kind == Kind::Malformed ? "malformed module: " : "invalid module: ") +
         section + " section at " + offset_text + ": " + message;
}

namespace {

bool is_known_opcode(uint8_t op) {
  return op <= 0x05 || (op >= 0x0B && op <= 0x11) || (op >= 0x1A && op <= 0x1C) ||
         (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xC4) || (op >= 0xD0 && op <= 0xD2) ||
         op == 0xFC;
}

enum SectionId : uint8_t {
  kCustom = 0,
  kType,
  kImport,
  kFunction,
  kTable,
  kMemory,
  kGlobal,
  kExport,
  kStart,
  kElement,
  kCode,
  kData,
  kDataCount,
};

const char* section_name(uint8_t id) {
  static constexpr const char* kNames[] = {"custom", "type",   "import",   "function", "table",
                                           "memory", "global", "export",   "start",    "element",
                                           "code",   "data",   "datacount"};
  return id < std::size(kNames) ? kNames[id] : "unknown";
}

// Sections must appear in this order (datacount sits between element and code).
int section_rank(uint8_t id) {
  static constexpr int kRank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return kRank[id];
}

class ModuleDecoder {
 public:
  explicit ModuleDecoder(std::span<const uint8_t> bytes) {
    m_.bytes.assign(bytes.begin(), bytes.end());
  }

  Result<ModuleInfo, CompileError> run();

 private:
  // Validation errors are "invalid"; everything the reader reports is "malformed".
  bool invalid(BinaryReader& r, std::string message) {
    invalid_ = true;
    return r.fail(std::move(message));
  }
  bool invalid_at(BinaryReader& r, size_t at, std::string message) {
    invalid_ = true;
    return r.fail_at(at, std::move(message));
  }

  bool header(BinaryReader& r);
  bool section(uint8_t id, BinaryReader& r);
  bool types(BinaryReader& r);
  bool imports(BinaryReader& r);
  bool functions(BinaryReader& r);
  bool tables(BinaryReader& r);
  bool memories(BinaryReader& r);
  bool globals(BinaryReader& r);
  bool exports(BinaryReader& r);
  bool start(BinaryReader& r);
  bool elements(BinaryReader& r);
  bool data_count(BinaryReader& r);
  bool code(BinaryReader& r);
  bool data(BinaryReader& r);
  bool custom(BinaryReader& r);
  bool finish(BinaryReader& r);
  bool framing_after_invalid(BinaryReader& r, int last_rank, uint8_t failed_id);

  bool value_type(BinaryReader& r, ValType& out);
  bool ref_type(BinaryReader& r, ValType& out);
  bool limits(BinaryReader& r, Limits& out, uint64_t max_allowed, const char* too_big);
  bool table_type(BinaryReader& r, TableType& out);
  bool memory_type(BinaryReader& r, MemoryType& out);
  bool global_type(BinaryReader& r, GlobalType& out);
  bool const_expr(BinaryReader& r, ValType expected, ConstExpr& out);
  bool code_body(BinaryReader& r, uint32_t defined_index, uint32_t size);
  void names(BinaryReader& r);

  ModuleInfo m_;
  bool invalid_ = false;
  std::string section_ = "module";
  uint32_t declared_funcs_ = 0;  // count from the function section
  bool saw_function_section_ = false;
  bool saw_code_section_ = false;
  // memory.init/data.drop used with no datacount section: malformed if the data segment
  // exists (the count was required), invalid otherwise (the segment is unknown).
  std::optional<uint32_t> max_data_index_without_count_;
  size_t data_index_offset_ = 0;
};

bool ModuleDecoder::value_type(BinaryReader& r, ValType& out) {
  uint8_t b = 0;
  if (!r.u8(b)) return false;
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x70:
    case 0x6F:
      out = static_cast<ValType>(b);
      return true;
    case 0x7B:
      return r.fail("SIMD is not supported");
    default:
      return r.fail("malformed value type");
  }
}

bool ModuleDecoder::ref_type(BinaryReader& r, ValType& out) {
  uint8_t b = 0;
  if (!r.u8(b)) return false;
  if (b != 0x70 && b != 0x6F) return r.fail("malformed reference type");
  out = static_cast<ValType>(b);
  return true;
}

bool ModuleDecoder::limits(BinaryReader& r, Limits& out, uint64_t max_allowed,
                           const char* too_big) {
  size_t at = r.offset();
  uint8_t flags = 0;
  if (!r.u8(flags)) return false;
  if (flags > 1)
    return r.fail(flags == 2 || flags == 3 ? "shared memory is not supported"
                                           : "integer too large");
  if (!r.u32(out.min)) return false;
  out.max.reset();
  if (flags == 1) {
    uint32_t max = 0;
    if (!r.u32(max)) return false;
    out.max = max;
  }
  if (out.min > max_allowed || (out.max && *out.max > max_allowed)) {
    return invalid_at(r, at, too_big);
  }
  if (out.max && out.min > *out.max) {
    return invalid_at(r, at, "size minimum must not be greater than maximum");
  }
  return true;
}

bool ModuleDecoder::table_type(BinaryReader& r, TableType& out) {
  return ref_type(r, out.element) &&
         limits(r, out.limits, 0xFFFFFFFFull, "table size must be at most 2^32-1");
}

bool ModuleDecoder::memory_type(BinaryReader& r, MemoryType& out) {
  return limits(r, out.limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)");
}

bool ModuleDecoder::global_type(BinaryReader& r, GlobalType& out) {
  uint8_t mut = 0;
  if (!value_type(r, out.type) || !r.u8(mut)) return false;
  if (mut > 1) return r.fail("malformed mutability");
  out.is_mutable = mut == 1;
  return true;
}

bool ModuleDecoder::const_expr(BinaryReader& r, ValType expected, ConstExpr& out) {
  size_t at = r.offset();
  uint8_t op = 0;
  if (!r.u8(op)) return false;
  switch (op) {
    case 0x41: {
      int32_t v = 0;
      if (!r.s32(v)) return false;
      out = {ConstExpr::Kind::I32Const, static_cast<uint32_t>(v), 0, ValType::I32};
      break;
    }
    case 0x42: {
      int64_t v = 0;
      if (!r.s64(v)) return false;
      out = {ConstExpr::Kind::I64Const, static_cast<uint64_t>(v), 0, ValType::I64};
      break;
    }
    case 0x43: {
      uint32_t v = 0;
      if (!r.f32_bits(v)) return false;
      out = {ConstExpr::Kind::F32Const, v, 0, ValType::F32};
      break;
    }
    case 0x44: {
      uint64_t v = 0;
      if (!r.f64_bits(v)) return false;
      out = {ConstExpr::Kind::F64Const, v, 0, ValType::F64};
      break;
    }
    case 0x23: {
      uint32_t index = 0;
      if (!r.u32(index)) return false;
      // Only imported globals are visible to constant expressions (no extended-const).
      if (index >= m_.globals.size() || index >= m_.imported_globals) {
        return invalid_at(r, at, "unknown global " + std::to_string(index));
      }
      if (m_.globals[index].is_mutable) return invalid_at(r, at, "constant expression required");
      out = {ConstExpr::Kind::GlobalGet, 0, index, m_.globals[index].type};
      break;
    }
    case 0xD0: {
      ValType t{};
      if (!ref_type(r, t)) return false;
      out = {ConstExpr::Kind::RefNull, 0, 0, t};
      break;
    }
    case 0xD2: {
      uint32_t index = 0;
      if (!r.u32(index)) return false;
      if (index >= m_.func_types.size()) {
        return invalid_at(r, at, "unknown function " + std::to_string(index));
      }
      m_.declared_refs[index] = true;
      out = {ConstExpr::Kind::RefFunc, 0, index, ValType::FuncRef};
      break;
    }
    case 0x0B:
      return invalid_at(r, at, "type mismatch");
    default:
      if (!is_known_opcode(op)) return r.fail_at(at, "illegal opcode");
      return invalid_at(r, at, "constant expression required");
  }
  uint8_t end = 0;
  if (!r.u8(end)) return false;
  if (end != 0x0B) {
    // Extra instructions: a constant expression has exactly one.
    return invalid_at(r, at, end <= 0xD2 ? "type mismatch" : "constant expression required");
  }
  if (out.type != expected) return invalid_at(r, at, "type mismatch");
  return true;
}

bool ModuleDecoder::header(BinaryReader& r) {
  const uint8_t* magic;
  if (r.remaining() < 4 || !r.bytes(4, magic)) return r.fail("magic header not detected");
  if (magic[0] != 0 || magic[1] != 'a' || magic[2] != 's' || magic[3] != 'm') {
    return r.fail_at(0, "magic header not detected");
  }
  uint32_t version = 0;
  if (r.remaining() < 4 || !r.f32_bits(version)) return r.fail("unknown binary version");
  if (version != 1) return r.fail_at(4, "unknown binary version");
  return true;
}

bool ModuleDecoder::types(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  m_.types.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t form = 0;
    if (!r.u8(form)) return false;
    if (form != 0x60) return r.fail("integer representation too long");
    FuncType t;
    uint32_t np = 0, nr = 0;
    if (!r.count(np)) return false;
    t.params.resize(np);
    for (auto& p : t.params) {
      if (!value_type(r, p)) return false;
    }
    if (!r.count(nr)) return false;
    t.results.resize(nr);
    for (auto& p : t.results) {
      if (!value_type(r, p)) return false;
    }
    m_.types.push_back(std::move(t));
  }
  return true;
}

bool ModuleDecoder::imports(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  m_.imports.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Import im;
    uint8_t kind = 0;
    size_t at = r.offset();
    if (!r.name(im.module) || !r.name(im.name) || !r.u8(kind)) return false;
    switch (kind) {
      case 0:
        if (!r.u32(im.func_type)) return false;
        if (im.func_type >= m_.types.size()) return invalid_at(r, at, "unknown type");
        im.kind = ExternKind::Func;
        m_.func_types.push_back(im.func_type);
        ++m_.imported_funcs;
        break;
      case 1:
        if (!table_type(r, im.table)) return false;
        im.kind = ExternKind::Table;
        m_.tables.push_back(im.table);
        ++m_.imported_tables;
        break;
      case 2:
        if (!memory_type(r, im.memory)) return false;
        im.kind = ExternKind::Memory;
        m_.memories.push_back(im.memory);
        ++m_.imported_memories;
        break;
      case 3:
        if (!global_type(r, im.global)) return false;
        im.kind = ExternKind::Global;
        m_.globals.push_back(im.global);
        ++m_.imported_globals;
        break;
      default:
        return r.fail("malformed import kind");
    }
    m_.imports.push_back(std::move(im));
    if (m_.memories.size() > 1) return invalid_at(r, at, "multiple memories");
  }
  return true;
}

bool ModuleDecoder::functions(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  saw_function_section_ = true;
  declared_funcs_ = n;
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint32_t t = 0;
    if (!r.u32(t)) return false;
    if (t >= m_.types.size()) return invalid_at(r, at, "unknown type");
    m_.func_types.push_back(t);
  }
  return true;
}

bool ModuleDecoder::tables(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    TableType t;
    if (!table_type(r, t)) return false;
    m_.tables.push_back(t);
  }
  return true;
}

bool ModuleDecoder::memories(BinaryReader& r) {
  uint32_t n = 0;
  size_t at = r.offset();
  if (!r.count(n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    MemoryType t;
    if (!memory_type(r, t)) return false;
    m_.memories.push_back(t);
  }
  if (m_.memories.size() > 1) return invalid_at(r, at, "multiple memories");
  return true;
}

bool ModuleDecoder::globals(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  // Constant expressions may use ref.func before the export/element sections declare it.
  m_.declared_refs.resize(m_.func_types.size(), false);
  for (uint32_t i = 0; i < n; ++i) {
    GlobalDef g;
    if (!global_type(r, g.type) || !const_expr(r, g.type.type, g.init)) return false;
    m_.global_defs.push_back(g);
    m_.globals.push_back(g.type);
  }
  return true;
}

bool ModuleDecoder::exports(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  std::unordered_set<std::string> seen;
  m_.declared_refs.resize(m_.func_types.size(), false);
  for (uint32_t i = 0; i < n; ++i) {
    Export e;
    uint8_t kind = 0;
    size_t at = r.offset();
    if (!r.name(e.name) || !r.u8(kind) || !r.u32(e.index)) return false;
    size_t limit = 0;
    switch (kind) {
      case 0:
        limit = m_.func_types.size();
        break;
      case 1:
        limit = m_.tables.size();
        break;
      case 2:
        limit = m_.memories.size();
        break;
      case 3:
        limit = m_.globals.size();
        break;
      default:
        return r.fail("malformed export kind");
    }
    e.kind = static_cast<ExternKind>(kind);
    if (e.index >= limit) {
      return invalid_at(
          r, at, std::string("unknown ") + to_string(e.kind) + " " + std::to_string(e.index));
    }
    if (!seen.insert(e.name).second) return invalid_at(r, at, "duplicate export name");
    if (e.kind == ExternKind::Func) m_.declared_refs[e.index] = true;
    m_.exports.push_back(std::move(e));
  }
  return true;
}

bool ModuleDecoder::start(BinaryReader& r) {
  uint32_t index = 0;
  size_t at = r.offset();
  if (!r.u32(index)) return false;
  if (index >= m_.func_types.size()) {
    return invalid_at(r, at, "unknown function " + std::to_string(index));
  }
  const FuncType& t = m_.func_type(index);
  if (!t.params.empty() || !t.results.empty()) return invalid_at(r, at, "start function");
  m_.start = index;
  return true;
}

bool ModuleDecoder::elements(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  m_.declared_refs.resize(m_.func_types.size(), false);
  for (uint32_t i = 0; i < n; ++i) {
    ElementSegment seg;
    uint32_t flags = 0;
    size_t at = r.offset();
    if (!r.u32(flags)) return false;
    if (flags > 7) return r.fail("malformed elements segment kind");
    bool passive_or_declarative = flags & 1;
    bool explicit_table = flags & 2;
    bool uses_exprs = flags & 4;
    if (!passive_or_declarative) {
      seg.mode = SegmentMode::Active;
      if (explicit_table && !r.u32(seg.table)) return false;
      if (seg.table >= m_.tables.size()) {
        return invalid_at(r, at, "unknown table " + std::to_string(seg.table));
      }
      if (!const_expr(r, ValType::I32, seg.offset)) return false;
    } else {
      seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
    }
    // Flags 0 and 4 have an implicit element kind (funcref); the others spell it out.
    if (flags & 3) {
      if (uses_exprs) {
        if (!ref_type(r, seg.type)) return false;
      } else {
        uint8_t elemkind = 0;
        if (!r.u8(elemkind)) return false;
        if (elemkind != 0) return r.fail("malformed element kind");
        seg.type = ValType::FuncRef;
      }
    }
    uint32_t count = 0;
    if (!r.count(count)) return false;
    seg.items.reserve(count);
    for (uint32_t k = 0; k < count; ++k) {
      ConstExpr item;
      if (uses_exprs) {
        if (!const_expr(r, seg.type, item)) return false;
      } else {
        size_t item_at = r.offset();
        uint32_t f = 0;
        if (!r.u32(f)) return false;
        if (f >= m_.func_types.size()) {
          return invalid_at(r, item_at, "unknown function " + std::to_string(f));
        }
        m_.declared_refs[f] = true;
        item = {ConstExpr::Kind::RefFunc, 0, f, ValType::FuncRef};
      }
      seg.items.push_back(item);
    }
    if (seg.mode == SegmentMode::Active && seg.type != m_.tables[seg.table].element) {
      return invalid_at(r, at, "type mismatch");
    }
    m_.elements.push_back(std::move(seg));
  }
  return true;
}

bool ModuleDecoder::data_count(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.u32(n)) return false;
  m_.data_count = n;
  return true;
}

bool ModuleDecoder::code_body(BinaryReader& r, uint32_t defined_index, uint32_t size) {
  size_t body_start = r.offset();
  const uint8_t* body_bytes;
  if (!r.bytes(size, body_bytes)) return false;
  BinaryReader body(body_bytes, size, body_start);
  FunctionBody fb;
  uint32_t runs = 0;
  if (!body.count(runs)) return r.fail_at(body.error_offset(), body.error());
  uint64_t total = 0;
  std::vector<ValType> locals;
  for (uint32_t i = 0; i < runs; ++i) {
    LocalRun run;
    if (!body.u32(run.count)) return r.fail_at(body.error_offset(), body.error());
    total += run.count;
    if (total > 50000) return r.fail_at(body.offset(), "too many locals");
    if (!value_type(body, run.type)) return r.fail_at(body.error_offset(), body.error());
    locals.insert(locals.end(), run.count, run.type);
    fb.locals.push_back(run);
  }
  fb.local_count = static_cast<uint32_t>(total);
  fb.code_offset = body.offset();
  fb.code_end = body_start + size;
  uint32_t func_index = m_.imported_funcs + defined_index;
  FunctionValidator validator(m_);
  bool valid = validator.validate(func_index, locals, body);
  if (validator.data_index_without_count()) {
    max_data_index_without_count_ =
        std::max(max_data_index_without_count_.value_or(0), *validator.data_index_without_count());
  }
  if (!valid) {
    // The validator's failures are type errors unless the bytes themselves are malformed.
    const std::string& e = body.error();
    bool malformed =
        e.starts_with("unexpected end") || e.starts_with("integer") || e == "illegal opcode" ||
        e == "zero byte expected" || e.starts_with("malformed") || e == "section size mismatch" ||
        e == "length out of bounds" || e == "data count section required" || e.starts_with("SIMD");
    if (!malformed) invalid_ = true;
    return r.fail_at(body.error_offset(), e);
  }
  m_.bodies.push_back(std::move(fb));
  return true;
}

bool ModuleDecoder::code(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  saw_code_section_ = true;
  if (n != declared_funcs_) {
    return r.fail("function and code section have inconsistent lengths");
  }
  m_.declared_refs.resize(m_.func_types.size(), false);
  m_.bodies.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t size = 0;
    if (!r.u32(size)) return false;
    if (size > r.remaining()) return r.fail("unexpected end");
    if (!code_body(r, i, size)) return false;
  }
  return true;
}

bool ModuleDecoder::data(BinaryReader& r) {
  uint32_t n = 0;
  if (!r.count(n)) return false;
  if (m_.data_count && *m_.data_count != n) {
    return r.fail("data count and data section have inconsistent lengths");
  }
  for (uint32_t i = 0; i < n; ++i) {
    DataSegment seg;
    uint32_t flags = 0;
    size_t at = r.offset();
    if (!r.u32(flags)) return false;
    if (flags > 2) return r.fail("malformed data segment kind");
    if (flags == 1) {
      seg.mode = SegmentMode::Passive;
    } else {
      seg.mode = SegmentMode::Active;
      if (flags == 2 && !r.u32(seg.memory)) return false;
      if (seg.memory >= m_.memories.size()) {
        return invalid_at(r, at, "unknown memory " + std::to_string(seg.memory));
      }
      if (!const_expr(r, ValType::I32, seg.offset)) return false;
    }
    if (!r.u32(seg.size)) return false;
    seg.bytes_offset = r.offset();
    if (!r.skip(seg.size)) return false;
    m_.data.push_back(seg);
  }
  return true;
}

// The "name" section is informative: anything wrong with it is ignored, never an error.
void ModuleDecoder::names(BinaryReader& r) {
  while (!r.at_end() && r.ok()) {
    uint8_t id = 0;
    uint32_t size = 0;
    if (!r.u8(id) || !r.u32(size) || size > r.remaining()) return;
    const uint8_t* sub;
    r.bytes(size, sub);
    BinaryReader s(sub, size);
    if (id == 0) {
      s.name(m_.module_name);
    } else if (id == 1) {
      uint32_t count = 0;
      if (!s.count(count)) return;
      for (uint32_t i = 0; i < count && s.ok(); ++i) {
        uint32_t index = 0;
        std::string fname;
        if (!s.u32(index) || !s.name(fname)) return;
        if (index < m_.func_types.size()) {
          if (m_.function_names.size() <= index) m_.function_names.resize(index + 1);
          m_.function_names[index] = std::move(fname);
        }
      }
    }
  }
}

bool ModuleDecoder::custom(BinaryReader& r) {
  std::string name;
  if (!r.name(name)) return false;
  const uint8_t* rest;
  size_t n = r.remaining();
  r.bytes(n, rest);
  if (name == "name") {
    BinaryReader sub(rest, n);
    names(sub);
  }
  return true;
}

bool ModuleDecoder::section(uint8_t id, BinaryReader& r) {
  switch (id) {
    case kCustom:
      return custom(r);
    case kType:
      return types(r);
    case kImport:
      return imports(r);
    case kFunction:
      return functions(r);
    case kTable:
      return tables(r);
    case kMemory:
      return memories(r);
    case kGlobal:
      return globals(r);
    case kExport:
      return exports(r);
    case kStart:
      return start(r);
    case kElement:
      return elements(r);
    case kCode:
      return code(r);
    case kData:
      return data(r);
    case kDataCount:
      return data_count(r);
    default:
      return r.fail("malformed section id");
  }
}

bool ModuleDecoder::finish(BinaryReader& r) {
  if (declared_funcs_ > 0 && !saw_code_section_) {
    return r.fail("function and code section have inconsistent lengths");
  }
  if (m_.data_count && *m_.data_count != m_.data.size()) {
    return r.fail("data count and data section have inconsistent lengths");
  }
  m_.declared_refs.resize(m_.func_types.size(), false);
  if (max_data_index_without_count_) {
    if (*max_data_index_without_count_ < m_.data.size()) {
      return r.fail("data count section required");
    }
    return invalid(r, "unknown data segment " + std::to_string(*max_data_index_without_count_));
  }
  return true;
}

// The spec decodes a whole module before validating it, so a module that is both invalid
// and malformed is malformed. Decoding and validation share one pass here; after the first
// validation error, the rest of the module is still checked for malformed framing: section
// ids, sizes and order, and the counts that must agree across sections.
bool ModuleDecoder::framing_after_invalid(BinaryReader& r, int last_rank, uint8_t failed_id) {
  std::optional<uint32_t> code_count;
  std::optional<uint32_t> data_count = m_.data_count;
  std::optional<uint32_t> data_segments;
  bool saw_code = saw_code_section_ || failed_id == kCode;
  while (!r.at_end()) {
    uint8_t id = 0;
    uint32_t size = 0;
    if (!r.u8(id)) return false;
    if (id > kDataCount) return r.fail_at(r.offset() - 1, "malformed section id");
    if (!r.u32(size)) return false;
    if (size > r.remaining()) return r.fail("unexpected end of section or function");
    if (id != kCustom) {
      int rank = section_rank(id);
      if (rank <= last_rank) return r.fail("unexpected content after last section");
      last_rank = rank;
    }
    size_t start = r.offset();
    const uint8_t* body;
    r.bytes(size, body);
    BinaryReader s(body, size, start);
    uint32_t n = 0;
    switch (id) {
      case kFunction:
        if (!s.count(n)) return r.fail_at(s.error_offset(), s.error());
        declared_funcs_ = n;
        break;
      case kCode:
        if (!s.count(n)) return r.fail_at(s.error_offset(), s.error());
        code_count = n;
        saw_code = true;
        break;
      case kDataCount:
        if (!s.u32(n)) return r.fail_at(s.error_offset(), s.error());
        data_count = n;
        break;
      case kData:
        if (!s.count(n)) return r.fail_at(s.error_offset(), s.error());
        data_segments = n;
        break;
      default:
        break;
    }
  }
  if ((code_count && *code_count != declared_funcs_) || (declared_funcs_ > 0 && !saw_code)) {
    return r.fail("function and code section have inconsistent lengths");
  }
  if (data_count && data_segments && *data_count != *data_segments) {
    return r.fail("data count and data section have inconsistent lengths");
  }
  return true;
}

Result<ModuleInfo, CompileError> ModuleDecoder::run() {
  BinaryReader r(m_.bytes.data(), m_.bytes.size());
  auto error = [&](const BinaryReader& failed) -> Result<ModuleInfo, CompileError> {
    return unexpected(
        CompileError{invalid_ ? CompileError::Kind::Invalid : CompileError::Kind::Malformed,
                     section_, failed.error_offset(), failed.error()});
  };
  // A validation error stands only if the rest of the module is not malformed.
  auto invalid_unless_malformed = [&](const BinaryReader& failed, int last_rank,
                                      uint8_t id) -> Result<ModuleInfo, CompileError> {
    auto invalid = error(failed);
    if (!framing_after_invalid(r, last_rank, id)) {
      return unexpected(
          CompileError{CompileError::Kind::Malformed, "module", r.error_offset(), r.error()});
    }
    return invalid;
  };
  if (!header(r)) return error(r);
  int last_rank = 0;
  while (!r.at_end()) {
    section_ = "module";
    uint8_t id = 0;
    uint32_t size = 0;
    if (!r.u8(id)) return error(r);
    if (id > kDataCount) {
      r.fail_at(r.offset() - 1, "malformed section id");
      return error(r);
    }
    section_ = section_name(id);
    if (!r.u32(size)) return error(r);
    if (size > r.remaining()) {
      r.fail("unexpected end of section or function");
      return error(r);
    }
    if (id != kCustom) {
      int rank = section_rank(id);
      if (rank <= last_rank) {
        r.fail("unexpected content after last section");
        return error(r);
      }
      last_rank = rank;
    }
    size_t start = r.offset();
    const uint8_t* body;
    r.bytes(size, body);
    BinaryReader s(body, size, start);
    if (!section(id, s)) {
      if (invalid_) return invalid_unless_malformed(s, last_rank, id);
      return error(s);
    }
    if (!s.at_end()) {
      s.fail("section size mismatch");
      return error(s);
    }
  }
  section_ = "module";
  if (!finish(r)) return error(r);
  return std::move(m_);
}

}  // namespace

Result<ModuleInfo, CompileError> decode_module(std::span<const uint8_t> bytes) {
  ModuleDecoder decoder(bytes);
  return decoder.run();
}

}  // namespace wasmdapr::wasm
