// An AssemblyScript guest using as-wasi: console output, the environment and a file
// in the first preopened directory (as-wasi resolves relative paths against descriptor 3).
import { Console, Environ, FileSystem, Descriptor } from "as-wasi/assembly";

const env = new Environ();
const name = env.get("NAME");
Console.log("hello " + (name ? name! : "?"));

const out = FileSystem.open("as.txt", "w+");
if (out == null) {
  Console.error("cannot open as.txt");
  throw new Error("open failed");
}
(out as Descriptor).writeString("written by AssemblyScript");
(out as Descriptor).close();

const back = FileSystem.open("as.txt", "r");
const text = (back as Descriptor).readString();
Console.log("file says: " + (text ? text! : "(nothing)"));
