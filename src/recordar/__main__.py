from recordar.cli import main

main()
