import ArgumentParser
import Common
import Experiments
import Foundation
import Workflow

/// `attrib experiment`: a grid of full runs over a simulated zoo, with its tables and plots.
struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run an experiment spec: every cell a calibrated run against the simulated zoo, in parallel and resumable.",
        discussion: """
            Writes Results/NAME/cells/<cell>.json as each cell finishes (a killed run restarts \
            where it stopped), then results.csv (one row per cell and fine-tune), summary.md \
            (ranked by the MLMAC rules) and, when python3 has matplotlib \
            (bash scripts/install-plotting.sh), the plots of scripts/plot-experiment.py. \
            --shard i/n runs a deterministic share of the cells (a job array on a batch \
            scheduler); `attrib experiment merge` joins the shards' folders. The spec format \
            is in Experiments/README.md.
            """,
        subcommands: [ExperimentRun.self, ExperimentMerge.self], defaultSubcommand: ExperimentRun.self)
}
