;; Modules the validator must reject, and binaries the decoder must reject.
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (i32.add (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (local.get 2))) "unknown local")
(assert_invalid (module (func (call 7))) "unknown function")
(assert_invalid (module (func (br 1))) "unknown label")
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (memory 1) (func (drop (i32.load align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (func (drop (memory.size)))) "unknown memory")
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (func) (export "a" (func 0)) (export "a" (func 0))) "duplicate export name")
(assert_invalid (module (func $f) (func (drop (ref.func $f)))) "undeclared function reference")
(assert_invalid (module (func (param i32)) (start 0)) "start function")
(assert_invalid (module (table 1 externref) (func (call_indirect (type 0) (i32.const 0))) (type (func))) "type mismatch")
(assert_invalid (module (func (result i32) (select (ref.null func) (ref.null func) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (if (result i32) (i32.const 1) (then (i32.const 1))))) "type mismatch")
(assert_invalid (module (global i32 (i32.add (i32.const 1) (i32.const 2)))) "constant expression required")
(assert_invalid (module (func (unreachable) (i32.const 1) (i64.add))) "type mismatch")

(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asn\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\01\00\00\00\0e\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\00") "unexpected end")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00")
  "function and code section have inconsistent lengths")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\07\01\00\82\80\80\80\80\00")
  "integer representation too long")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\06\01\00\82\80\80\80\70")
  "integer too large")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\02\07\01\02\ff\fe\01\66\00\00")
  "malformed UTF-8 encoding")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
                 "\0a\05\01\03\00\ff\0b")
  "illegal opcode")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\03\02\01\00" "\01\04\01\60\00\00")
  "unexpected content after last section")
;; A module both invalid (unknown type 5) and malformed (no code section for its function) is
;; malformed: decoding comes before validation.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\05")
  "function and code section have inconsistent lengths")
(assert_invalid
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\05"
                 "\0a\04\01\02\00\0b")
  "unknown type")
