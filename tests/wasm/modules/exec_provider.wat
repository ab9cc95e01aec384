;; Exports a function that reads its own instance's global and memory, for cross-instance calls.
(module
  (global $base (mut i32) (i32.const 100))
  (memory (export "mem") 1)
  (data (i32.const 8) "\2a")
  (func (export "add_base") (param i32) (result i32)
    (i32.add (local.get 0) (i32.add (global.get $base) (i32.load8_u (i32.const 8))))))
