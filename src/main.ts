import './ui/theme.css';
import './ui/app-root';
