import AttribCLI

await AttribCommand.main()
