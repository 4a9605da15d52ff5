package it.pec.core

import org.junit.Assert.fail
import org.junit.Assume.assumeTrue
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/** A skip with a message, or a failure under CI=true (a missing tool or corpus must not pass CI). */
fun skipOrFail(why: String) {
    if (System.getenv("CI") == "true") fail("CI=true: $why")
    assumeTrue("$why: skipping", false)
}

/** A file of the sample corpus (`PEC_CORPUS`, read at run time, never copied). */
fun corpusFile(rel: String): File {
    val root = System.getenv("PEC_CORPUS")?.let { File(it) } ?: File("../shared/corpus")
    val f = File(root, rel)
    if (!f.isFile) skipOrFail("corpus file $rel missing (set PEC_CORPUS)")
    return f
}

/**
 * The PEC provider sandbox (real Dovecot + the sandbox's SMTP/PEC engine) as a child process, for
 * the Kotlin suites: `pec-sandbox up` with its arguments, stopped by [stop]. Skips (or fails under
 * CI=true) when the binary or Dovecot is missing.
 */
class SandboxProcess private constructor(private val proc: Process, val dir: File, private val ready: String, val bin: String) {
    /** A field of the sandbox's ready line (`imap`, `smtp`, `ca_file`, ...). */
    fun field(name: String): String = Regex("\"$name\":\"([^\"]*)\"").find(ready)!!.groupValues[1]

    /** The CardDAV server of `up --carddav`: its URL and the CA of its certificate. */
    fun carddav(): Pair<String, String> {
        val obj = Regex("\"carddav\":\\{([^}]*)\\}").find(ready)!!.groupValues[1]
        fun inside(name: String) = Regex("\"$name\":\"([^\"]*)\"").find(obj)!!.groupValues[1]
        return inside("url") to inside("ca_file")
    }

    /** The seeded accounts, address and password. */
    fun accounts(): List<Pair<String, String>> =
        Regex("\"address\":\"([^\"]+)\",\"password\":\"([^\"]+)\"").findAll(ready).map { it.groupValues[1] to it.groupValues[2] }.toList()

    /**
     * Add a sandbox account to `app`. Its `ca_file` is for TLS only; the sandbox signs its receipts
     * under the same test CA, which the App trusts for PEC signatures only because this says so.
     */
    suspend fun addAccount(app: App, address: String, password: String, delegation: Delegation? = null, trustSignatures: Boolean = true): AccountInfo {
        val (ih, ip) = field("imap").let { it.substringBeforeLast(':') to it.substringAfterLast(':').toUShort() }
        val (sh, sp) = field("smtp").let { it.substringBeforeLast(':') to it.substringAfterLast(':').toUShort() }
        if (trustSignatures) app.addSignatureTestAnchor(field("ca_file"))
        return app.addAccount(NewAccount(Provider.CUSTOM, address, password, null,
            CustomServer(ih, ip, sh, sp, field("ca_file")), delegation))
    }

    /** The SdI stand-in delivers the invoice `file` to `account`'s mailbox. */
    fun injectInvoice(account: String, file: File) {
        val inj = ProcessBuilder(bin, "inject-invoice", "--dir", dir.path, "--account", account, file.path)
            .redirectErrorStream(true).start()
        val out = inj.inputStream.bufferedReader().readText()
        org.junit.Assert.assertEquals("inject-invoice: $out", 0, inj.waitFor())
    }

    /** One plain message of about `kib` KiB delivered to `account`'s box (toward its quota). */
    fun fill(account: String, kib: Int) {
        val fill = ProcessBuilder(bin, "fill", "--dir", dir.path, "--account", account, "--kib", kib.toString())
            .redirectErrorStream(true).start()
        val out = fill.inputStream.bufferedReader().readText()
        org.junit.Assert.assertEquals("fill: $out", 0, fill.waitFor())
    }

    fun stop() {
        proc.destroy()
        if (!proc.waitFor(10, TimeUnit.SECONDS)) proc.destroyForcibly()
    }

    companion object {
        /** Start `pec-sandbox up --dir <tmp> <args>`; `null` after a skip. */
        fun start(vararg args: String): SandboxProcess? {
            val bin = System.getenv("PEC_SANDBOX_BIN")
            if (bin == null || !File(bin).canExecute()) { skipOrFail("pec-sandbox binary not built (PEC_SANDBOX_BIN)"); return null }
            if (!File("/usr/sbin/dovecot").exists() && System.getenv("PATH").split(":").none { File(it, "dovecot").exists() }) {
                skipOrFail("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"); return null
            }
            if ("--carddav" in args && !File("/usr/bin/radicale").exists()) {
                skipOrFail("radicale is not installed (apt-get install radicale)"); return null
            }
            // Dovecot's unprivileged processes must be able to traverse the directory.
            val dir = Files.createTempDirectory("pec-sbx").toFile().also { it.setReadable(true, false); it.setExecutable(true, false) }
            val p = ProcessBuilder(listOf(bin, "up", "--dir", dir.path) + args)
                .redirectError(File(dir, "sandbox.log")).start()
            val line = p.inputStream.bufferedReader().readLine()
                ?: fail("pec-sandbox did not start: " + File(dir, "sandbox.log").readText()).let { return null }
            return SandboxProcess(p, dir, line, bin)
        }
    }
}

/**
 * The sandbox of one test class, started before its first test and stopped after its last:
 * `companion object { @ClassRule @JvmField val sandbox = SandboxRule("--accounts", "2") }`.
 * `process` is `null` after a skip (see [skipOrFail]).
 */
class SandboxRule(private vararg val args: String) : org.junit.rules.ExternalResource() {
    var process: SandboxProcess? = null
        private set

    override fun before() {
        process = SandboxProcess.start(*args)
    }

    override fun after() {
        process?.stop()
    }
}
