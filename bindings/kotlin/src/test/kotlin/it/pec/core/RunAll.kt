package it.pec.core

import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener
import kotlin.system.exitProcess

/** Runs the given JUnit 4 classes and ends with the plain summary line CI reads. */
fun main(args: Array<String>) {
    val classes = args.map { Class.forName(it) }
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        override fun testFinished(d: Description) = println("  ran  ${d.className}.${d.methodName}")
        override fun testFailure(f: Failure) {
            println("  FAIL ${f.description.methodName}: ${f.message}")
            println(f.trace.lines().take(12).joinToString("\n"))
        }
        override fun testIgnored(d: Description) = println("  skip ${d.className}.${d.methodName}")
        override fun testAssumptionFailure(f: Failure) = println("  skip ${f.description.methodName}: ${f.message}")
    })
    val r = core.run(*classes.toTypedArray())
    val skipped = r.ignoreCount + r.assumptionFailureCount
    val passed = r.runCount - r.failureCount - r.assumptionFailureCount
    // The suite's name (`PEC_SUITE`, set by the run-tests scripts) heads its summary line.
    val suite = System.getenv("PEC_SUITE") ?: "kotlin"
    println("$suite: $passed passed, ${r.failureCount} failed, $skipped skipped")
    exitProcess(if (r.wasSuccessful()) 0 else 1)
}
