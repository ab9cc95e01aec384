;; A module for the command-line tests: exports with arguments, a trap, an endless loop,
;; and a start function writing to a global.
(module
  (global $started (mut i32) (i32.const 0))
  (func $start (global.set $started (i32.const 1)))
  (start $start)
  (func (export "started") (result i32) (global.get $started))
  (func (export "add") (param i64 f64) (result f64)
    (f64.add (f64.convert_i64_s (local.get 0)) (local.get 1)))
  (func (export "trap") (unreachable))
  (func (export "spin") (loop (br 0)))
  (func $r (export "recurse") (call $r)))
