"""`backprop grade`: the battery on a whole class's submissions, in parallel, in the formats graders use.

One concept a module: `discovery` (which files and folders are submissions), `assignment` (the
TOML file that holds a course's settings and points), `pool` (each submission in its own worker
process, at most -j at once, each with a wall-clock limit), `worker` (what runs in that process),
`scoring` (points, and the first failure in causal order), `formats` (csv, json, junit,
gradescope, each written atomically), `table` and `progress` (what the terminal shows), and
`command` (the subcommand itself).
"""
